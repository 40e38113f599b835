"""SIGKILL of ansible-playbook during method 1 (onboard_new_users), then a rerun, checked from outside.

Issue 15, part 7: before the password journal, a killed run left up to 608 of 1,000 users in AD and the
cloud with passwords nobody knew, and a chunk's passwords in plaintext in AnsiballZ payload files. Here
the whole process group of ansible-playbook (the module subprocesses too) is killed at three moments:

- early: when the password file first appears (the first chunk's passwords recorded, its first
  AD writes about to start or started);
- during AD writes: when a given number of the run's users exist in AD (ldap3 polls the DC);
- during cloud writes: when the simulator has counted a given number of writes.

After each kill, before the rerun, every file in Ansible's temporary directories (the local and remote
tmp set for the run, ~/.ansible/tmp, /tmp/ansible*) and in the playbook's directory is searched for every
recorded password: none may appear outside the password file. Then the same playbook runs again: it
exits 0, reports no user failed (those the killed run finished as unchanged), and every user of the input
exists in AD and in the cloud, linked both ways, with its password in the password file, and that
password works with kinit (the lab's Samba KDC) and with the simulator's password grant. A third run
changes nothing and writes nothing to the cloud.

Sizes: the AD-writes kill runs 1,000 users (the case that lost 608 passwords before); the other two run
300 users, so that the file stays within about 8 minutes on a 2-core machine (measured: 3.5 to 6, by the
machine's load). Every user is checked with kinit and with the password grant, no sample: 1,000 of each
take 25 to 65 s, four at a time. The rerun's report is checked user by user against what the kill left
(linked pairs unchanged, pairs not linked yet updated, the rest created), and the reruns' output and
files are searched for every password again at the end.
"""
import csv
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest

import roles_lab
from roles_lab import (kinit, LINK_ATTRIBUTE, PLAY, admin, cloud_password_works, delete_ad_users, immutable_id,
                       ldap_connect, report_rows, site, text)

TAG = uuid.uuid4().hex[:5]
PASSWORD_FILE = os.path.join("hybrid_identity_reports", "onboard_new_users-passwords.csv")
DOMAIN = "corp.example.com"

# moment -> (users, chunk_size, what to wait for before the kill: "pwfile", ("ad", n) or ("cloud", n))
MOMENTS = {
    "early": (300, 100, ("pwfile", 0)),
    "ad_writes": (1000, 200, ("ad", 450)),
    "cloud_writes": (300, 100, ("cloud", 150)),
}
# The simulator answers a $batch of 20 creates in milliseconds, real Graph in a few hundred: at the
# simulator's pace a chunk's cloud writes are over before a poll sees them start. Batches slowed to
# Graph's pace make the cloud-writes kill land inside a chunk's creates.
SLOW_BATCHES = {"slow": {"method": "POST", "path": r"/\$batch", "ms": 250}}


@pytest.fixture()
def fresh(lab):
    admin(lab, "/reset", {})
    yield lab
    admin(lab, "/reset", {})   # leave no 1,000 tagged cloud users behind for the next suite


def read_password_file(cwd):
    path = os.path.join(str(cwd), PASSWORD_FILE)
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as handle:
        return dict((row["upn"].lower(), row) for row in csv.DictReader(handle))


def ad_state(lab, prefix):
    """{sAMAccountName: entry} of the run's users in AD (raw attributes), read with ldap3."""
    conn = ldap_connect(lab)
    try:
        conn.search(site(lab)[3], "(&(objectCategory=person)(objectClass=user)(sAMAccountName=%s*))" % prefix,
                    attributes=["sAMAccountName", "objectGUID", LINK_ATTRIBUTE, "userPrincipalName"])
        out = {}
        for item in conn.response:
            if item.get("type") == "searchResEntry":
                raw = item["raw_attributes"]
                out[raw["sAMAccountName"][0].decode()] = dict((k, v[0]) for k, v in raw.items() if v)
        return out
    finally:
        conn.unbind()


def cloud_state(lab, prefix):
    """{upn (lower case): cloud user} of the run's users in the simulator."""
    return dict((u["userPrincipalName"].lower(), u) for u in admin(lab, "/state")["users"]
                if u["userPrincipalName"].lower().startswith(prefix))


def processes_with(marker):
    """Pids of live processes whose environment holds marker (the run's private ANSIBLE_LOCAL_TEMP)."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as handle:
                if marker.encode() in handle.read():
                    out.append(int(pid))
        except OSError:
            continue
    return out


def files_holding(passwords, paths):
    """{file: lines holding one of the passwords} for every regular file under paths (grep -F, fixed strings),
    and inside every zip archive there (Ansible's payload dirs hold zips: compressed, grep alone sees nothing)."""
    existing = [p for p in paths if os.path.exists(p)]
    if not existing or not passwords:
        return {}
    private = tempfile.mkdtemp(prefix="hi-patterns-")   # outside every searched path
    try:
        patterns = os.path.join(private, "patterns")
        with open(patterns, "w") as handle:
            handle.write("\n".join(passwords) + "\n")
        proc = subprocess.run(["grep", "-rcFa", "--no-messages", "-f", patterns] + existing, capture_output=True,
                              text=True)
        hits = {}
        for line in proc.stdout.splitlines():
            path, _, count = line.rpartition(":")
            if count.isdigit() and int(count):
                hits[path] = int(count)
        for path in existing:
            for folder, _subdirs, files in os.walk(path):
                for name in files:
                    archive = os.path.join(folder, name)
                    try:
                        if not zipfile.is_zipfile(archive):
                            continue
                        with zipfile.ZipFile(archive) as zipped:
                            data = b"\n".join(zipped.read(member) for member in zipped.namelist())
                    except (OSError, zipfile.BadZipFile):
                        continue
                    proc = subprocess.run(["grep", "-cFa", "-f", patterns, "-"], input=data, capture_output=True)
                    if proc.stdout.strip().isdigit() and int(proc.stdout.strip()):
                        hits[archive + " (inside the zip)"] = int(proc.stdout.strip())
        return hits
    finally:
        shutil.rmtree(private)


def settle(lab, prefix):
    """Wait until the DC and the simulator have stopped changing (2 s without a new AD user or cloud write)."""
    last, still = None, time.time()
    while time.time() - still < 2:
        now = (len(ad_state(lab, prefix)), admin(lab, "/counters")["totals"]["writes"])
        if now != last:
            last, still = now, time.time()
        time.sleep(0.2)


def assert_only_in_password_file(passwords, tmp_path, cwd):
    """Search tmp_path (the playbook's directory, its local and remote tmp, the killed run's output),
    ~/.ansible/tmp and /tmp/ansible*; returns how many files were searched."""
    searched = [str(tmp_path), os.path.expanduser("~/.ansible/tmp")] + sorted(
        os.path.join("/tmp", name) for name in os.listdir("/tmp") if name.startswith("ansible"))
    leaks = files_holding(passwords, searched)
    # The search itself works: it finds every password in the password file, one line each.
    assert leaks.pop(os.path.join(str(cwd), PASSWORD_FILE), 0) == len(passwords), "the search missed the password file"
    assert not leaks, "recorded passwords found outside the password file: %s" % leaks
    return sum(len(files) for path in searched for _dir, _subdirs, files in os.walk(path))


class Watcher(object):
    """Polls the DC or the simulator until the kill moment has come."""

    def __init__(self, lab, cwd, prefix, trigger):
        self.lab, self.cwd, self.prefix = lab, cwd, prefix
        self.kind, self.threshold = trigger
        self.conn = ldap_connect(lab) if self.kind == "ad" else None

    def due(self):
        if self.kind == "pwfile":
            return os.path.exists(os.path.join(str(self.cwd), PASSWORD_FILE))
        if self.kind == "ad":
            self.conn.search(site(self.lab)[3], "(&(objectCategory=person)(sAMAccountName=%s*))" % self.prefix,
                             attributes=["1.1"])
            return len([i for i in self.conn.response if i.get("type") == "searchResEntry"]) >= self.threshold
        return admin(self.lab, "/counters")["totals"]["writes"] >= self.threshold

    def close(self):
        if self.conn is not None:
            self.conn.unbind()


def run_and_kill(lab, cwd, vars_file, extra_env, watcher, marker):
    """Start the playbook in its own session, SIGKILL its process group at the watcher's moment."""
    log = open(os.path.join(os.path.dirname(str(cwd)), "killed-run.log"), "w")
    cmd = [PLAY, "hybrid.identity.onboard_new_users", "-e", "@%s" % vars_file]
    proc = subprocess.Popen(cmd, cwd=str(cwd), env=roles_lab.env(lab, extra_env), stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    started = time.time()
    try:
        while proc.poll() is None and not watcher.due():
            assert time.time() - started < 600, "the kill moment never came"
            time.sleep(0.05)
        assert proc.poll() is None, "the run ended before the kill moment: %s" % open(log.name).read()[-3000:]
        os.killpg(proc.pid, signal.SIGKILL)
        # ansible-core 2.19+ starts each worker in a session of its own (setsid), so the group's SIGKILL misses
        # the workers and the modules they run: kill the rest of the run's processes too, as a service manager
        # stopping its cgroup or a machine going down would.
        deadline = time.time() + 10
        while processes_with(marker) and time.time() < deadline:
            for pid in processes_with(marker):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        proc.wait()
        elapsed = time.time() - started
    finally:
        watcher.close()
        log.close()
    # Nothing of the run survives the kill (a module process left running would keep writing).
    deadline = time.time() + 10
    while processes_with(marker) and time.time() < deadline:
        time.sleep(0.1)
    survivors = processes_with(marker)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "processes of the killed run survived SIGKILL: %s" % survivors
    return elapsed


def check_users(lab, users, cwd, prefix):
    """Every user of the input in AD and the cloud, linked both ways, password recorded and working."""
    ad = ad_state(lab, prefix)
    cloud = cloud_state(lab, prefix)
    recorded = read_password_file(cwd)
    problems, unknown = [], []

    def verify(user):
        sam = user["username"]
        upn = "%s@%s" % (sam, DOMAIN)
        entry, cloud_user = ad.get(sam), cloud.get(upn)
        if entry is None or cloud_user is None:
            return "%s: in AD %s, in the cloud %s" % (sam, entry is not None, cloud_user is not None), False
        anchor = cloud_user["onPremisesImmutableId"]
        if text(entry, LINK_ATTRIBUTE) != cloud_user["id"] or anchor != immutable_id(entry):
            return "%s: not linked (AD %s, cloud id %s, anchor %s)" % (
                sam, text(entry, LINK_ATTRIBUTE), cloud_user["id"], anchor), False
        password = (recorded.get(upn) or {}).get("password")
        if not password:
            return "%s: no password in the password file" % sam, True
        rc, out = kinit(lab, "%s@%s" % (sam, lab["LAB_REALM"]), password)
        grant = cloud_password_works(lab, upn, password)
        if rc != 0 or grant != "ok":
            return "%s: recorded password: kinit %s %s, password grant %s" % (sam, rc, out[-80:], grant), True
        return None, False

    started = time.time()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for message, password_unknown in pool.map(verify, users):
            if message:
                problems.append(message)
            if password_unknown:
                unknown.append(message)
    return problems, unknown, time.time() - started


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_sigkill_then_rerun_every_password_known(fresh, tmp_path, moment):
    lab = fresh
    count, chunk_size, trigger = MOMENTS[moment]
    prefix = "k%s%s" % (moment[0], TAG)   # sAMAccountName k<moment><tag><4 digits>: 11 characters
    users = [{"given_name": "Kill", "surname": "%s%04d" % (prefix.capitalize(), i), "username": "%s%04d" % (prefix, i)}
             for i in range(count)]
    cwd = tmp_path / "run"
    local_tmp, remote_tmp = tmp_path / "local_tmp", tmp_path / "remote_tmp"
    for folder in (cwd, local_tmp, remote_tmp):
        folder.mkdir()
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps({"users": users, "chunk_size": chunk_size}))
    extra_env = {"ANSIBLE_LOCAL_TEMP": str(local_tmp), "ANSIBLE_REMOTE_TEMP": str(remote_tmp)}
    try:
        before = set(name for name in os.listdir("/tmp") if name.startswith("ansible"))
        admin(lab, "/counters/reset", {})
        if trigger[0] == "cloud":
            admin(lab, "/faults", SLOW_BATCHES)
        try:
            killed_after = run_and_kill(lab, cwd, vars_file, extra_env, Watcher(lab, cwd, prefix, trigger),
                                        str(local_tmp))
        finally:
            admin(lab, "/faults", {"clear": True})

        # Requests in flight at the kill still finish on the servers: count once both have settled.
        settle(lab, prefix)
        # What the kill left: users in AD, in the cloud, linked, and passwords recorded.
        ad, cloud, recorded = ad_state(lab, prefix), cloud_state(lab, prefix), read_password_file(cwd)
        linked_at_kill = set(sam for sam, entry in ad.items() if entry.get(LINK_ATTRIBUTE)
                             and ("%s@%s" % (sam, DOMAIN)) in cloud)
        created_at_kill = set(ad) | set(upn.split("@")[0] for upn in cloud)
        unrecorded_at_kill = sorted(sam for sam in created_at_kill if "%s@%s" % (sam, DOMAIN) not in recorded)
        print("\n%s kill after %.1f s: %d of %d users in AD, %d in the cloud, %d linked; %d passwords in the file; "
              "%d users created without a recorded password" % (
                  moment, killed_after, len(ad), count, len(cloud), len(linked_at_kill), len(recorded),
                  len(unrecorded_at_kill)))
        assert not unrecorded_at_kill, unrecorded_at_kill[:20]

        # No recorded password anywhere on disk but in the password file (payloads, temp files, the output).
        passwords = sorted(set(row["password"] for row in recorded.values() if row["password"]))
        searched = assert_only_in_password_file(passwords, tmp_path, cwd)
        # Payload dirs of the killed modules stay behind (AnsiballZ removes them on exit): code only, searched above.
        left = sorted(set(name for name in os.listdir("/tmp") if name.startswith("ansible_hybrid.identity")) - before)
        print("%s: %d passwords searched for in %d files, found only in the password file; the killed run left "
              "in /tmp: %s" % (moment, len(passwords), searched, left or "nothing"))

        # The rerun converges: exit 0, nothing failed, what the killed run finished is unchanged.
        started = time.time()
        proc, recap = roles_lab.play(lab, "onboard_new_users", cwd, "-e", "@%s" % vars_file)
        rerun_time, rerun_output = time.time() - started, proc.stdout
        assert proc.returncode == 0, proc.stdout[-3000:]
        rows = report_rows(cwd, "onboard_new_users")
        statuses = {}
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        print("%s rerun (%.1f s): %s" % (moment, rerun_time, statuses))
        assert len(rows) == count and "failed" not in statuses, statuses
        assert "holds no password" not in proc.stdout, proc.stdout[-3000:]
        # Each user as far as the killed run took it: linked pairs are unchanged, pairs it did not link yet
        # are updated (the link), AD users without a cloud account and users it never reached are created.
        expected = {}
        for user in users:
            sam = user["username"]
            in_cloud = "%s@%s" % (sam, DOMAIN) in cloud
            expected[sam] = "unchanged" if sam in linked_at_kill else "updated" if in_cloud else "created"
        by_sam = dict((row["upn"].split("@")[0], row["status"]) for row in rows)
        wrong = [(sam, by_sam.get(sam), want) for sam, want in sorted(expected.items()) if by_sam.get(sam) != want]
        assert not wrong, wrong[:10]
        set_in = {}
        for row in read_password_file(cwd).values():
            set_in[row["set_in"]] = set_in.get(row["set_in"], 0) + 1
        print("%s password file after the rerun: set_in %s" % (moment, set_in))
        # Where each password was set, also for the users the killed run finished (it never got to say so).
        assert set_in == {"ad cloud": count}, set_in

        problems, unknown, check_time = check_users(lab, users, cwd, prefix)
        print("%s after the rerun: %d users with unknown passwords, %d problems; checked %d users (kinit and "
              "password grant) in %.1f s" % (moment, len(unknown), len(problems), count, check_time))
        assert not unknown, unknown[:20]
        assert not problems, problems[:20]

        # A third run: nothing to do.
        admin(lab, "/counters/reset", {})
        proc, recap = roles_lab.play(lab, "onboard_new_users", cwd, "-e", "@%s" % vars_file)
        assert proc.returncode == 0 and "changed=0" in recap.get("localhost", ""), proc.stdout[-3000:]
        assert admin(lab, "/counters")["totals"]["writes"] == 0
        # Nor after the reruns (their reports, output and temporary files), for every user's password.
        passwords = sorted(set(row["password"] for row in read_password_file(cwd).values()))
        assert len(passwords) == count
        assert_only_in_password_file(passwords, tmp_path, cwd)
        assert not [p for p in passwords if p in rerun_output or p in proc.stdout]
    finally:
        delete_ad_users(lab, "(sAMAccountName=%s*)" % prefix)
