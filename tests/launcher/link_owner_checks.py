"""Links on rule paths that someone other than the host could have put there:
launcher.planted_link_moved (a directory holding a planted link, renamed by the sandbox to where a
rule path goes) and launcher.shared_dir_link (a link another user made in a directory others may
write, such as /tmp).
"""

import os
import stat

import fixture
from harness import Skip, kernel_landlock_abi

# Rights to create and remove directories but not links: a cache or build directory.
DIRS_ONLY = ["read_file", "read_dir", "make_dir", "remove_dir", "remove_file", "make_reg", "write_file"]


def _secret(outside):
    secrets = os.path.join(outside, "secrets")
    os.makedirs(secrets)
    with open(os.path.join(secrets, "key"), "w") as f:
        f.write("TOPSECRET\n")
    os.chmod(os.path.join(secrets, "key"), 0o600)
    return secrets


def test_planted_link_moved(ctx):
    """A payload with make_sym in W and make_dir/remove_dir in W's parent renames W (with the link
    it planted) to where another rule path goes, and makes a new, empty W: the next launch must not
    follow that link."""
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    work, outside, bundle = ctx.dirs("planted_link_moved")
    secrets = _secret(outside)
    parent = os.path.join(work, "project")
    writable = os.path.join(parent, "scratch")
    os.makedirs(writable)
    rules = fixture.system_rules() + [
        {"path": parent, "access": DIRS_ONLY},
        {"path": writable, "access": fixture.FS_ALL_ABI3},
        {"path": os.path.join(parent, "cache", "data"), "access": fixture.READ},
    ]
    fixture.write_bundle(bundle, fixture.landlock_doc(rules))
    # The first run, confined by the bundle: every step is one its rules allow.
    plant = (f"ln -s {secrets} {writable}/data && mv {writable} {parent}/cache && mkdir {writable}")
    r = ctx.run(bundle, ["/bin/sh", "-c", plant])
    ctx.check(r.returncode == 0 and os.path.islink(os.path.join(parent, "cache", "data")),
              "control: the confined payload plants the link and moves its directory", r.stderr)
    # The next run: /project/cache/data is the planted link, in a directory the sandbox made.
    r = ctx.run(bundle, ["/bin/cat", os.path.join(secrets, "key")])
    ctx.check("TOPSECRET" not in r.stdout, "the link planted in a moved directory widened a grant: the secret was read",
              r.stdout + r.stderr)
    ctx.check(r.returncode == 123 and "passes through the symbolic link" in r.stderr,
              f"a rule through a link in a directory the sandbox may move refuses the launch (got {r.returncode})",
              r.stderr)


def test_shared_dir_link(ctx):
    """Another user's link in a directory others may write (sticky and world-writable, as /tmp) is
    not followed for a rule path; the owner's is, as the kernel's protected_symlinks would."""
    if kernel_landlock_abi(ctx) < 3:
        raise Skip("needs Landlock ABI 3 or later")
    if os.geteuid() != 0:
        raise Skip("needs root to make a link owned by another user")
    work, outside, bundle = ctx.dirs("shared_dir_link")
    secrets = _secret(outside)
    shared = os.path.join(work, "tmp")
    os.makedirs(shared)
    os.chmod(shared, 0o1777)
    link = os.path.join(shared, "build-cache")
    os.symlink(secrets, link)
    os.lchown(link, 65534, 65534)  # what an unprivileged co-tenant can leave in /tmp
    rules = fixture.system_rules() + [{"path": link, "access": fixture.READ}]
    fixture.write_bundle(bundle, fixture.landlock_doc(rules))
    r = ctx.run(bundle, ["/bin/cat", os.path.join(secrets, "key")])
    ctx.check("TOPSECRET" not in r.stdout, "another user's link in a shared directory widened a grant",
              r.stdout + r.stderr)
    ctx.check(r.returncode == 123 and "owned by uid 65534" in r.stderr,
              f"a rule through another user's link in a shared directory refuses the launch (got {r.returncode})",
              r.stderr)
    # The same in a group-writable directory without the sticky bit.
    os.chmod(shared, 0o775)
    r = ctx.run(bundle, ["/bin/true"])
    ctx.check(r.returncode == 123 and "owned by uid 65534" in r.stderr,
              f"... and in a group-writable directory (got {r.returncode})", r.stderr)
    # The directory's owner's link (root here) is followed, as is any link in a directory only its
    # owner may write.
    os.lchown(link, 0, 0)
    os.chmod(shared, 0o1777)
    r = ctx.run(bundle, ["/bin/true"])
    ctx.check(r.returncode == 0, "a link owned by the shared directory's owner is followed", r.stderr)
    # Root's link given a second name there by someone else (possible where fs.protected_hardlinks
    # is off): its relative target now resolves from the shared directory.
    roots = os.path.join(outside, "roots-link")
    os.symlink("../../outside/secrets", roots)
    os.unlink(link)
    os.link(roots, link, follow_symlinks=False)
    r = ctx.run(bundle, ["/bin/cat", os.path.join(secrets, "key")])
    ctx.check(r.returncode == 123 and "2 name(s)" in r.stderr and "TOPSECRET" not in r.stdout,
              f"a second name of root's link in a shared directory refuses the launch (got {r.returncode})",
              r.stdout + r.stderr)
    os.unlink(link)
    os.symlink(secrets, link)
    os.lchown(link, 65534, 65534)
    os.chmod(shared, 0o755)
    r = ctx.run(bundle, ["/bin/true"])
    ctx.check(r.returncode == 0, "a link in a directory only its owner may write is followed", r.stderr)
    st = os.stat(shared)
    ctx.check(stat.S_IMODE(st.st_mode) == 0o755, "control: the mode was set")
