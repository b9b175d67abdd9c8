// Stage: report. The facts of `polc inspect`'s review report, gathered once from the rebuilt IR,
// its sources, the bundle's manifest and the trust decision, so that the text, Markdown and JSON
// layouts (inspect_text.cpp, inspect_markdown.cpp, inspect_json.cpp) only lay them out and can
// never disagree on what they show.
// Everything here is plain strings and numbers in a fixed order: no times, no machine paths
// beyond what the inputs carry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compiler/report/inspect_report.h"

namespace polc::report::inspect {

// A statement as a reviewer reads it: where, in which module, and its text.
struct StatementRef {
  std::string at;         // "file:line"; "" for what polc adds itself
  std::string module;     // "" for the policy itself
  std::string statement;  // first source line, trimmed ("" for implicit rules)
};

// ---- header ----

enum class RebuildStatus : uint8_t { Identical, Differs, NotCompared };

struct Header {
  std::string policy_name;
  int64_t policy_version = 0;
  std::string compiler;                // "polc 0.1.0"
  std::optional<std::string> expires;  // as written in the manifest; nullopt: never expires
  std::string manifest_sha256;
  std::vector<std::string> targets;
  std::vector<std::string> backends;  // as the manifest lists them (empty when it does not)
  RebuildStatus rebuild = RebuildStatus::NotCompared;
  std::vector<std::string> mismatched;  // Differs: the artifacts whose bytes differ
  std::vector<std::string> integrity;   // "file: message" per integrity problem; empty when intact
};

// ---- syscalls ----

// One target of a statement (`@file_io`, `socket(domain == AF_UNIX)`), or all its plain names
// together (`read, write, fork?`), and the syscalls it brings. Names are listed once for the
// arches they share, and separately where arches differ.
struct SyscallTarget {
  std::string target;               // as written, whitespace runs collapsed; plain names joined by ", "
  bool conditional = false;         // written with an argument condition (in `target`)
  std::vector<std::string> common;  // on every target arch, sorted
  std::vector<std::pair<std::string, std::vector<std::string>>> only;  // arch -> on that arch alone
};

struct SyscallStatement {
  StatementRef source;
  std::string action;                  // "allow", "errno(1)", "kill_process", ...
  std::vector<SyscallTarget> targets;  // in source order
};

struct Syscalls {
  std::string default_action;
  bool default_written = false;  // false: polc's implicit kill_process
  StatementRef default_source;
  std::vector<SyscallStatement> allowed;                      // allow
  std::vector<SyscallStatement> supervised;                   // log, trace, user_notif: the call may still run
  std::vector<SyscallStatement> denied;                       // kill_process, kill_thread, trap, errno
  std::vector<std::pair<std::string, size_t>> allowed_count;  // arch -> distinct syscalls with an allow rule
};

// ---- filesystem ----

struct FsEntry {
  std::string path;
  std::vector<std::string> rights;  // Landlock right names, in bit order
  std::vector<StatementRef> sources;
};

struct Filesystem {
  bool present = false;
  unsigned min_abi = 0;
  StatementRef abi_source;
  std::vector<std::string> handled;  // every right denied where no rule grants it
  std::vector<std::string> scopes;   // Landlock scopes asked for
  std::vector<StatementRef> scope_sources;
  std::vector<std::string> best_effort;  // layers applied only where the kernel has them
  std::vector<FsEntry> granted, denied;
};

// ---- network ----

struct NetEntry {
  std::string direction, proto;        // "connect", "bind", "any"; "tcp", "udp", "any"
  std::vector<std::string> ports;      // "443", "8000-8080"; empty: every port
  std::vector<std::string> addresses;  // addresses and CIDRs
  std::vector<std::string> domains;    // domain names ("*.example.org"): enforced by the proxy
  bool any_host = false;               // the rule names no host
  bool implicit = false;               // added by polc (the cloud-metadata deny)
  StatementRef source;                 // implicit: `at` names it, no statement
};

struct Proxy {
  std::string endpoint;  // "10.200.0.1:3128", "[fd00::1]:3128"
  StatementRef source;
};

struct Network {
  bool present = false;
  std::vector<NetEntry> allowed, denied;  // allowed: rules with addresses or no host, and domain rules
  std::optional<Proxy> proxy;
};

// ---- the OS layer (os.json) ----

struct OsNamespace {
  std::string name;      // "pid", "mount", ...
  bool implied = false;  // not named, needed by `source` (a mount rule, a workspace, a masked deny)
  StatementRef source;
};

struct OsLimit {
  std::string name;     // as a `limits` block names it: "memory", "time", ...
  std::string value;    // in the policy's units: "512MiB", "1.5", "5m", "off"
  StatementRef source;  // at == "" for core dumps off, polc's default
};

struct OsMount {
  std::string kind;  // os.json's: "minimal_dev", "tmpfs", "hide", "readonly", "noexec", "nodev"
  std::string path;
  std::string size;         // tmpfs: "64MiB", "" for the kernel's default
  bool masks_deny = false;  // enforces deny rules beneath grants (`sources` are the denies)
  std::vector<StatementRef> sources;
};

struct OsWorkspace {
  std::string path;
  std::vector<std::string> discard_on;      // "failure", "kill", "refusal"
  std::vector<std::string> refusal_layers;  // empty: every layer's refusals count
  StatementRef source;
};

struct OsLayer {
  bool in_bundle = false;  // the bundle has os.json (the os backend was selected)
  std::vector<OsNamespace> namespaces;
  std::vector<OsLimit> limits;  // core dumps always
  std::vector<OsMount> mounts;  // in os.json's order
  std::vector<OsWorkspace> workspaces;
};

// ---- manifest: coverage and verification ----

struct Enforcer {
  std::string artifact;
  bool full = true;
  std::string part;  // "addresses", "domains", or "" for the whole statement
  std::string how;
};

struct CoverageRow {
  StatementRef source;
  std::vector<Enforcer> enforced_by;
};

struct AssertionVerdict {
  StatementRef source;
  std::string result;  // "proved", "failed"
  std::string counterexample;
};

struct ProgramVerdict {
  std::string artifact, result;  // "equivalent", "mismatch"
  uint64_t queries = 0;
};

struct Verification {
  bool present = false;  // the manifest records verdicts
  std::string solver;
  std::vector<AssertionVerdict> assertions;
  uint64_t tests_passed = 0, tests_failed = 0;
  uint64_t warnings = 0, queries = 0;
  std::vector<ProgramVerdict> programs;
};

// ---- signers ----

struct Signer {
  std::string name, key_id;
  std::string state;  // "signed", "missing", "invalid"
};

struct Signers {
  bool checked = false;           // a trust file was given
  size_t signatures_present = 0;  // entries in signatures.json (counted, not verified)
  std::string trust_file;
  unsigned threshold = 0, valid_signers = 0;
  std::vector<Signer> signers;
  std::vector<std::string> unknown_signers;
  std::optional<int64_t> min_version;
  bool accepted = false;
  std::vector<std::string> problems;  // "file: message"
};

// ---- files ----

struct FileRow {
  std::string path;
  bool source = false;
  std::string role;    // sources: "policy", "stdlib", "local" (as the manifest says)
  std::string module;  // sources of modules
  uint64_t size = 0;
  std::string sha256;
};

struct Model {
  Header header;
  Syscalls syscalls;
  Filesystem filesystem;
  Network network;
  OsLayer os;
  std::vector<CoverageRow> coverage;
  Verification verification;
  Signers signers;
  std::vector<FileRow> files;
};

Model build_model(const InspectInput& in);

}  // namespace polc::report::inspect
