"""The execution environment definition: `ansible-builder create -f execution-environment.yml`, the command
the docs give (run at the collection root), writes a build context (no container runtime here, so what it wrote is checked instead of an
image): a pinned base image, the collection's Python and system requirements, and this collection installed
from the tarball built from this tree (not pulled from Galaxy).

meta/execution-environment.yml is the collection-level metadata ansible-builder introspects when another EE
installs this collection: its paths are relative to the collection root, and must exist in the tarball."""
import glob
import json
import os
import re
import subprocess
import tarfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def _read(*parts):
    with open(os.path.join(*parts)) as handle:
        return handle.read()


def test_ansible_builder_create_writes_a_context_with_the_local_collection(release_bin, tmp_path):
    out = os.path.join(ROOT, ".build", "ee")
    os.makedirs(out, exist_ok=True)
    for old in glob.glob(os.path.join(out, "hybrid-identity-*.tar.gz")):
        os.remove(old)
    subprocess.run([os.path.join(release_bin, "ansible-galaxy"), "collection", "build", "--force", "--output-path", out],
                   cwd=ROOT, check=True, capture_output=True)
    context = str(tmp_path / "context")
    proc = subprocess.run([os.path.join(release_bin, "ansible-builder"), "create", "-f", "execution-environment.yml",
                           "-c", context, "--output-filename", "Containerfile"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    containerfile = _read(context, "Containerfile")
    base = re.search(r'^ARG EE_BASE_IMAGE="([^"]+)"', containerfile, re.M).group(1)
    definition = yaml.safe_load(_read(ROOT, "execution-environment.yml"))
    assert base == definition["images"]["base_image"]["name"]
    assert re.search(r":[0-9][0-9.]*$|@sha256:[0-9a-f]{64}$", base), "base image not pinned: %s" % base

    # The collection's own requirements, as the tarball ships them.
    assert _read(context, "_build", "requirements.txt") == _read(ROOT, "requirements.txt")
    assert _read(context, "_build", "bindep.txt") == _read(ROOT, "bindep.txt")

    # The tarball built from this tree, installed from the context in the image; nothing asks Galaxy for it.
    tarballs = glob.glob(os.path.join(context, "_build", "collections", "hybrid-identity-*.tar.gz"))
    assert len(tarballs) == 1, tarballs
    with tarfile.open(tarballs[0]) as tar:
        manifest = json.load(tar.extractfile("MANIFEST.json"))
        names = tar.getnames()
    galaxy = yaml.safe_load(_read(ROOT, "galaxy.yml"))
    assert manifest["collection_info"]["version"] == galaxy["version"]
    assert "meta/runtime.yml" in names and not any(n.startswith("tests/") for n in names)
    assert "COPY _build/collections/ /tmp/hybrid-identity/" in containerfile
    assert re.search(r"^RUN ansible-galaxy collection install --offline -p /usr/share/ansible/collections "
                     r"/tmp/hybrid-identity/hybrid-identity-\*\.tar\.gz$", containerfile, re.M)
    assert "requirements.yml" not in containerfile
    # Installed before the image drops root, into the path ansible-runner's jobs search.
    final = containerfile[containerfile.index("AS final"):]
    assert final.index("ansible-galaxy collection install") < final.index("USER 1000")


def test_collection_metadata_for_introspection_names_files_the_tarball_ships():
    meta = yaml.safe_load(_read(ROOT, "meta", "execution-environment.yml"))
    deps = meta["dependencies"]
    assert deps == {"python": "requirements.txt", "system": "bindep.txt"}
    galaxy = yaml.safe_load(_read(ROOT, "galaxy.yml"))
    for path in deps.values():
        assert os.path.isfile(os.path.join(ROOT, path))
        assert path not in galaxy["build_ignore"]
