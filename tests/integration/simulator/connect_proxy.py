"""A loopback HTTPS (CONNECT) proxy that tunnels Microsoft's host names to a private simulator.

For clients that cannot be pointed at another Graph host (azure.azcollection's azure_rm_aduser builds
https://graph.microsoft.com itself): with HTTPS_PROXY set to this proxy, their TLS connections to
graph.microsoft.com and login.microsoftonline.com end at the simulator, whose test certificate names
those hosts (graph_simulator/testpki.py) and which the client trusts through SSL_CERT_FILE /
REQUESTS_CA_BUNDLE. Any other destination is refused, so nothing leaves the machine."""
import socket
import threading

TUNNELLED = ("graph.microsoft.com:443", "login.microsoftonline.com:443")


class ConnectProxy(object):
    def __init__(self, target_port):
        self.target_port = target_port
        self.tunnels = []           # host:port of every tunnel opened, for the test to check
        self.refused = []
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = self._server.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self._stop = True
        self._server.close()

    def _accept(self):
        while not self._stop:
            try:
                client, _addr = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client):
        try:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            words = head.split(b"\r\n", 1)[0].decode("latin-1").split()
            dest = words[1].lower() if len(words) == 3 and words[0] == "CONNECT" else ""
            if dest not in TUNNELLED:
                self.refused.append(dest or words[:2])
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.tunnels.append(dest)
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
            _pipe(client, upstream)
        except OSError:
            pass
        finally:
            client.close()


def _pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
