#!/usr/bin/env python3
"""Tests of the sbx-exec launcher: refusals (tampered, malformed, unsupported, unsigned or untrusted
bundles), real
enforcement by the running kernel (Landlock, seccomp, no_new_privs, network namespaces with
nftables), the audit line, --dry-run golden output, and what the binary links.

This file runs one test by name; the tests live beside it: bundle_checks.py (tamper, malformed),
kernel_checks.py (abi, enforcement, planted_link, host_denies, python_agent), link_owner_checks.py
(planted_link_moved, shared_dir_link), terminal_checks.py (terminal), network_checks.py
(join_netns, netns), race_checks.py (rule_path_race), payload_checks.py (descriptors,
user_capabilities), cli_checks.py (options, docs, golden_*, links, polc_run), trust_checks.py (trust_*:
signatures and trust files), tools_checks.py (tools_*: std.runtime.glibc and the std.tools modules running the real
tools), os_layer_checks.py (os_*: namespaces, limits, mounts and workspaces), exec_checks.py
(exec_explain, skipped_paths: refusals that explain themselves); harness.py holds what they share, fixture.py writes the fixture
bundles and signing.py their keys, signatures and trust files.

usage: launcher_test.py --sbx-exec BIN --polc BIN --source DIR TEST
Exit status: 0 passed, 1 failed, 77 cannot run on this machine (CTest reports it as skipped).
Set POLC_UPDATE_GOLDEN=1 to rewrite the golden files instead of comparing (the golden tests are
named launcher.golden_*, so `make golden-update` regenerates them with the others).
"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bundle_checks  # noqa: E402
import cli_checks  # noqa: E402
import exec_checks  # noqa: E402
import kernel_checks  # noqa: E402
import link_owner_checks  # noqa: E402
import network_checks  # noqa: E402
import os_layer_checks  # noqa: E402
import payload_checks  # noqa: E402
import race_checks  # noqa: E402
import supervisor_checks  # noqa: E402
import telemetry_checks  # noqa: E402
import terminal_checks  # noqa: E402
import tools_checks  # noqa: E402
import trust_checks  # noqa: E402
from harness import SKIP, Context, Skip  # noqa: E402

TESTS = {
    "options": cli_checks.test_options,
    "docs": cli_checks.test_docs,
    "tamper": bundle_checks.test_tamper,
    "malformed": bundle_checks.test_malformed,
    "abi": kernel_checks.test_abi,
    "enforcement": kernel_checks.test_enforcement,
    "planted_link": kernel_checks.test_planted_link,
    "host_denies": kernel_checks.test_host_denies,
    "planted_link_moved": link_owner_checks.test_planted_link_moved,
    "shared_dir_link": link_owner_checks.test_shared_dir_link,
    "join_netns": network_checks.test_join_netns,
    "netns": network_checks.test_netns,
    "python_agent": kernel_checks.test_python_agent,
    "golden_dry_run": cli_checks.test_dry_run,
    "golden_python_agent": cli_checks.test_dry_run_python_agent,
    "links": cli_checks.test_links,
    "polc_run": cli_checks.test_polc_run,
    "trust_threshold": trust_checks.test_threshold,
    "trust_tamper": trust_checks.test_tamper,
    "trust_expiry": trust_checks.test_expiry,
    "trust_unknown_key": trust_checks.test_unknown_key,
    "trust_file": trust_checks.test_trust_file,
    "trust_modes": trust_checks.test_modes,
    "trust_polc_sign": trust_checks.test_polc_sign,
    "rule_path_race": race_checks.test_rule_path_race,
    "descriptors": payload_checks.test_descriptors,
    "user_capabilities": payload_checks.test_user_capabilities,
    "terminal": terminal_checks.test_terminal,
    "supervisor": supervisor_checks.test_supervisor,
    "telemetry": telemetry_checks.test_telemetry,
    "telemetry_guard": telemetry_checks.test_telemetry_guard,
    "telemetry_hostile": telemetry_checks.test_telemetry_hostile,
    "telemetry_flood": telemetry_checks.test_telemetry_flood,
    "telemetry_unprivileged": telemetry_checks.test_telemetry_unprivileged,
    "exec_explain": exec_checks.test_exec_explain,
    "skipped_paths": exec_checks.test_skipped_paths,
    "tools_glibc": tools_checks.test_glibc,
    "tools_shell": tools_checks.test_shell,
    "tools_git": tools_checks.test_git,
    "tools_build": tools_checks.test_build,
    "os_fork_bomb": os_layer_checks.test_fork_bomb,
    "os_memory_hog": os_layer_checks.test_memory_hog,
    "os_time_limit": os_layer_checks.test_time_limit,
    "os_pid_namespace": os_layer_checks.test_pid_namespace,
    "os_masks": os_layer_checks.test_masks,
    "os_workspace": os_layer_checks.test_workspace,
    "os_refusals": os_layer_checks.test_refusals,
    "os_built_policy": os_layer_checks.test_built_policy,
    "os_unprivileged": os_layer_checks.test_unprivileged,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sbx-exec", required=True)
    parser.add_argument("--polc", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("test", choices=sorted(TESTS))
    args = parser.parse_args()
    if sys.platform != "linux" or os.uname().machine != "x86_64":
        print("skipped: the fixtures are x86_64 seccomp programs")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="sbx-exec-test-") as tmp:
        os.chmod(tmp, 0o755)
        ctx = Context(args, tmp)
        try:
            TESTS[args.test](ctx)
        except Skip as skip:
            print(f"skipped: {skip}")
            return SKIP
        if ctx.failures:
            for failure in ctx.failures:
                print(f"FAIL: {failure}")
            print(f"{len(ctx.failures)} check(s) failed")
            return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
