"""The offline lab (tests/lab/lab): start it, read its manifest, stop it if we started it."""

import ipaddress
import json
import os
import re
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(REPO, "tests", "lab", "lab")


class Lab:
    def __init__(self, net, state=None):
        self.net = net
        self.state = state
        self.started_here = False
        self.manifest = None

    def _run(self, command, timeout=60):
        argv = [LAB, command, "--net", self.net] + (["--state", self.state] if self.state else [])
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=timeout)
        return done.returncode, done.stdout.decode(errors="replace")

    def up(self):
        if not os.access(LAB, os.X_OK):
            raise RuntimeError("the lab is not there: %s" % LAB)
        was_up = self._run("status")[0] == 0
        code, out = self._run("up")
        if code != 0:
            raise RuntimeError("lab up failed:\n" + out)
        self.started_here = not was_up
        code, path = self._run("manifest")
        if code != 0:
            raise RuntimeError("lab manifest: " + path)
        with open(path.strip().splitlines()[-1]) as f:
            self.manifest = json.load(f)
        check_hints(self.manifest["root_hints"])
        return out

    def down(self):
        if self.started_here:
            self._run("down")
            self.started_here = False

    @property
    def hints(self):
        return self.manifest["root_hints"]

    @property
    def names_file(self):
        return self.manifest["names_file"]

    @property
    def wildcard_zone(self):
        return self.manifest["wildcard_zone"].rstrip(".")


def check_hints(path):
    """Refuses root hints that name any address outside loopback: they would be the real roots."""
    with open(path) as f:
        text = f.read()
    addresses = re.findall(r"\s(?:A|AAAA)\s+(\S+)", text)
    if not addresses:
        raise RuntimeError("root hints %s hold no addresses" % path)
    for a in addresses:
        if not ipaddress.ip_address(a).is_loopback:
            raise RuntimeError("root hints %s name %s, outside loopback: refusing" % (path, a))
