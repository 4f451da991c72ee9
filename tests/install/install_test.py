#!/usr/bin/env python3
"""The installed tree: `cmake --install BUILD --prefix TMP`, then check what an operator gets.

- every file in place (ternd, ternd(8), ternd.toml(5), etc/tern/ternd.toml, the systemd unit);
- `ternd --version` names a commit of this repository;
- the default config passes `ternd --check-config`, and so does the same file with every
  commented-out key uncommented (the commented defaults are valid values);
- every key of docs/configuration.md's reference block is in the default config and in
  ternd.toml(5); every flag of `ternd --help` is in ternd(8);
- both man pages render without a groff warning;
- a reinstall keeps an edited config; DESTDIR staging with --prefix /usr puts the config in /etc;
- `systemd-analyze verify` accepts the unit (Type=notify, the capability, a dedicated user), and
  `systemd-analyze security --offline` rates it at or below MAX_EXPOSURE.

ternd only runs --version, --help and --check-config here: nothing resolves, nothing is bound.
Without systemd-analyze or groff the check is skipped (exit 77) outside CI and fails in CI.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

MAX_EXPOSURE = 2.0  # systemd-analyze's scale: < 2 is "OK", the best band below "SAFE"

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)


def need_tool(name):
    if shutil.which(name):
        return True
    if os.environ.get("CI") == "true":
        check(False, f"{name} is installed (required in CI)")
        return True
    print(f"SKIP: {name} not installed (apt-get install systemd groff-base)")
    sys.exit(77)


def doc_reference_keys(configuration_md):
    """(section, key) pairs of the ```toml block that lists every key with its default."""
    text = open(configuration_md).read()
    block = text.split("Every key, with its default:", 1)[1].split("```toml", 1)[1].split("```", 1)[0]
    keys, section = [], None
    for line in block.splitlines():
        m = re.match(r"^\[(\w+)\]", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^([a-z0-9-]+)\s*=", line)
        if m:
            keys.append((section, m.group(1)))
    return keys


def render(page, env):
    # -Tascii with grotty's plain output: no overstrike, so the text can be searched.
    p = run(["groff", "-man", "-Tascii", "-ww", "-rHY=0", "-rLL=200n", "-P-cbou", page], env=env)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    need_tool("groff")
    need_tool("systemd-analyze")

    with tempfile.TemporaryDirectory(prefix="tern_install_") as prefix:
        p = run(["cmake", "--install", args.build, "--prefix", prefix])
        check(p.returncode == 0, "cmake --install into a temporary prefix" + ("" if p.returncode == 0 else ":\n" + p.stderr))
        ternd = os.path.join(prefix, "sbin/ternd")
        files = {
            "ternd": ternd,
            "ternd(8)": os.path.join(prefix, "share/man/man8/ternd.8"),
            "ternd.toml(5)": os.path.join(prefix, "share/man/man5/ternd.toml.5"),
            "default config": os.path.join(prefix, "etc/tern/ternd.toml"),
            "systemd unit": os.path.join(prefix, "lib/systemd/system/ternd.service"),
            "systemd template": os.path.join(prefix, "lib/systemd/system/ternd@.service"),
        }
        for what, path in files.items():
            check(os.path.isfile(path), f"installed {what}: {os.path.relpath(path, prefix)}")
        if failures:
            return 1
        check(os.access(ternd, os.X_OK), "ternd is executable")

        # --version names the commit (a commit of this repository when built from git).
        v = run([ternd, "--version"])
        m = re.match(r"^ternd \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,40})(-dirty)?\)", v.stdout)
        check(v.returncode == 0 and m is not None, f"ternd --version names a commit: {v.stdout.strip()}")
        if m and run(["git", "-C", args.source, "rev-parse", "--git-dir"]).returncode == 0:
            known = run(["git", "-C", args.source, "cat-file", "-e", m.group(1) + "^{commit}"])
            check(known.returncode == 0, f"commit {m.group(1)} is in this repository")

        # The default config is valid as installed, and with every default uncommented.
        config = files["default config"]
        c = run([ternd, "--check-config", "--config", config])
        check(c.returncode == 0, f"ternd --check-config accepts the installed config {c.stdout.strip()}{c.stderr.strip()}")
        text = open(config).read()
        uncommented = re.sub(r"(?m)^#([a-z0-9-]+ = )", r"\1", text)
        check(uncommented != text, "the default config lists keys commented out")
        full = os.path.join(prefix, "uncommented.toml")
        open(full, "w").write(uncommented)
        c = run([ternd, "--check-config", "--config", full])
        check(c.returncode == 0, f"every commented default is a valid value {c.stderr.strip()}")

        # Documentation covers every key and flag.
        keys = doc_reference_keys(os.path.join(args.source, "docs/configuration.md"))
        check(len(keys) > 20, f"docs/configuration.md lists the keys ({len(keys)})")
        env = dict(os.environ, LC_ALL="C")
        man5 = render(files["ternd.toml(5)"], env)
        man8 = render(files["ternd(8)"], env)
        check(man5.returncode == 0 and not man5.stderr, "ternd.toml(5) renders without warnings " + man5.stderr)
        check(man8.returncode == 0 and not man8.stderr, "ternd(8) renders without warnings " + man8.stderr)
        def tables(body, header):
            """{section: text} of each [section] block, headers matched by `header`."""
            parts = re.split(header, body)
            return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
        conf_tables = tables(text, r"(?m)^\[(\w+)\]$")
        man_keys = man5.stdout.split("\nKEYS", 1)[-1].split("\nEXAMPLE", 1)[0]
        man_tables = tables(man_keys, r"(?m)^ {3}\[(\w+)\]$")
        missing_conf, missing_man = [], []
        for section, key in keys:
            if f"\n#{key} = " not in conf_tables.get(section, ""):
                missing_conf.append(f"{section}.{key}")
            if not re.search(rf"^\s+{re.escape(key)} = ", man_tables.get(section, ""), re.M):
                missing_man.append(f"{section}.{key}")
        check(not missing_conf, f"every key is in the default config {missing_conf}")
        check(not missing_man, f"every key is in ternd.toml(5) {missing_man}")
        flags = sorted(set(re.findall(r"(--[a-z][a-z-]+)", run([ternd, "--help"]).stdout)))
        check(len(flags) >= 10, f"ternd --help lists flags ({len(flags)})")
        undocumented = [f for f in flags if not re.search(rf"^\s+{re.escape(f)}\b", man8.stdout, re.M)]
        check(not undocumented, f"every flag of ternd --help has an entry in ternd(8) {undocumented}")

        # The unit: verify (man: links resolve against the installed pages), then the rating.
        unit = files["systemd unit"]
        unit_text = open(unit).read()
        check(f"ExecStart={ternd} --config {config}" in unit_text, "the unit starts the installed ternd with the installed config")
        for line in ("Type=notify", "AmbientCapabilities=CAP_NET_BIND_SERVICE", "DynamicUser=yes", "User=tern"):
            check(re.search(rf"(?m)^{re.escape(line)}$", unit_text) is not None, f"unit has {line}")
        venv = dict(os.environ, MANPATH=os.path.join(prefix, "share/man"))
        vr = run(["systemd-analyze", "verify", unit], env=venv)
        check(vr.returncode == 0 and not vr.stderr.strip(), f"systemd-analyze verify {vr.stdout}{vr.stderr}")
        sec = run(["systemd-analyze", "security", "--offline=true", unit])
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", sec.stdout)
        check(m is not None, "systemd-analyze security rates the unit")
        if m:
            check(float(m.group(1)) <= MAX_EXPOSURE, f"exposure {m.group(1)} <= {MAX_EXPOSURE}")

        # The template (several instances on one host, docs/scale-out.md): the same unit with a
        # config, control socket and directories per instance; verified as instance "1".
        template = open(files["systemd template"]).read()
        check(f"ExecStart={ternd} --config {prefix}/etc/tern/ternd-%i.toml --control /run/tern-%i/control.sock" in template
              and "RuntimeDirectory=tern-%i\n" in template and "LogsDirectory=tern-%i\n" in template,
              "ternd@.service: per-instance config, control socket and directories")
        instance = os.path.join(prefix, "ternd@1.service")
        open(instance, "w").write(template)
        vr = run(["systemd-analyze", "verify", instance], env=venv)
        check(vr.returncode == 0 and not vr.stderr.strip(), f"systemd-analyze verify ternd@1.service {vr.stdout}{vr.stderr}")
        sec = run(["systemd-analyze", "security", "--offline=true", instance])
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", sec.stdout)
        check(m is not None and float(m.group(1)) <= MAX_EXPOSURE, f"ternd@1.service exposure <= {MAX_EXPOSURE}")

        # Reinstalling keeps an edited config and puts the new default beside it.
        with open(config, "a") as f:
            f.write("# edited by the operator\n")
        run(["cmake", "--install", args.build, "--prefix", prefix])
        check(open(config).read().endswith("# edited by the operator\n") and os.path.isfile(config + ".default"),
              "a reinstall keeps the edited config, new default in ternd.toml.default")

    # Staged as packagers do (DESTDIR, prefix /usr): config in /etc, unit names the final paths.
    with tempfile.TemporaryDirectory(prefix="tern_destdir_") as stage:
        p = run(["cmake", "--install", args.build, "--prefix", "/usr"], env=dict(os.environ, DESTDIR=stage))
        unit = os.path.join(stage, "usr/lib/systemd/system/ternd.service")
        check(p.returncode == 0 and os.path.isfile(os.path.join(stage, "etc/tern/ternd.toml")) and os.path.isfile(unit),
              "DESTDIR + --prefix /usr: etc/tern/ternd.toml and usr/lib/systemd/system/ternd.service under DESTDIR")
        check(os.path.isfile(unit) and "ExecStart=/usr/sbin/ternd --config /etc/tern/ternd.toml " in open(unit).read(),
              "the staged unit names /usr/sbin/ternd and /etc/tern/ternd.toml")

    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
