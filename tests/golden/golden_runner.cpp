// Golden test runner. For every input in a suite directory it runs the polc binary and compares
// the output with the `.expected` file beside the input, byte for byte:
//   diagnostics  NAME.sbx -> `polc check NAME.sbx` (stderr+stdout) and the exit status
//                NAME.json.sbx / NAME.sarif.sbx -> the same with --format json / sarif; a
//                NAME.args beside it (one line) adds its options (`--backends ...`); in SARIF,
//                the installed docs' directory (the informationUri's, which depends on the
//                configured install prefix) is written as {docs}
//   fmt          NAME.sbx -> `polc fmt NAME.sbx`, then checks that formatting it again is a no-op
//   ir           NAME.sbx -> `polc ir NAME.sbx`
//   import       NAME.args (the arguments after `polc import oci`, one line) or a NAME.json without
//                one (then the arguments are just NAME.json) -> the diagnostics and exit status in
//                NAME.expected, and on success the policy in NAME.sbx, which must also pass
//                `polc check` and `polc fmt --check`
//   build        NAME.sbx -> `polc build NAME.sbx -o TMP` (or the arguments in NAME.args, one line,
//                where {out} is TMP): the diagnostics and exit status in NAME.expected, and every
//                text artifact written in NAME.FILE.expected (binary ones as their SHA-256)
//   diff         NAME.args (`OLD.sbx NEW.sbx`, one line) -> `polc diff OLD NEW` (stderr+stdout) and
//                the exit status in NAME.expected; the same with --format json and --format md,
//                stdout only, in NAME.json.expected and NAME.md.expected
//   test         NAME.sbx -> `polc test NAME.sbx` (stderr+stdout) and the exit status in
//                NAME.expected; the same run with --format json and --format junit, stdout only
//                (one document each), in NAME.json.expected and NAME.junit.expected
//   eval         NAME.args (the arguments after `polc eval`, one line, shell-quoted) -> `polc eval`
//                (stderr+stdout) and the exit status in NAME.expected; the same with --format
//                json, stdout only, in NAME.json.expected
//   bundle       NAME.sh (a bash script run in a fresh temporary directory, with $POLC and $CASES,
//                this directory) -> its stdout and stderr and its exit status in NAME.expected
//   coverage     fails unless every code of `polc explain --list` appears in some case of DIR or of
//                the further directories named after `coverage`
// With POLC_UPDATE_GOLDEN=1 in the environment, `.expected` files are rewritten instead.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Run {
  std::string output;
  int status = -1;
};

// Runs `command` through the shell in `dir`, capturing stdout and stderr together.
Run run(const std::string& command, const fs::path& dir) {
  const std::string full = "cd '" + dir.string() + "' && " + command + " 2>&1";
  Run r;
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// SARIF's links into the installed docs name the configured install prefix: the directory of
// informationUri (`{docs}/README.md`) is replaced by {docs} everywhere, so the golden files hold
// for any prefix. Without an informationUri nothing is replaced, and the raw paths fail the match.
std::string with_docs_placeholder(std::string text) {
  const std::string key = "\"informationUri\": \"";
  const size_t at = text.find(key);
  if (at == std::string::npos) return text;
  const size_t end = text.find("/README.md\"", at);
  if (end == std::string::npos) return text;
  const std::string docs = text.substr(at + key.size(), end - at - key.size());
  if (docs.empty()) return text;
  for (size_t pos = 0; (pos = text.find(docs, pos)) != std::string::npos; pos += 6)
    text.replace(pos, docs.size(), "{docs}");
  return text;
}

// Compares (or, in update mode, writes) one expected file. Returns true on a match.
bool check(const fs::path& expected_path, const std::string& actual, bool update) {
  if (update) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return true;
  }
  if (!fs::exists(expected_path)) {
    std::cerr << "MISSING " << expected_path << " (run with POLC_UPDATE_GOLDEN=1)\n";
    return false;
  }
  const std::string expected = read_file(expected_path);
  if (expected == actual) return true;
  std::cerr << "MISMATCH " << expected_path << "\n--- expected\n" << expected << "--- actual\n" << actual << "---\n";
  return false;
}

std::vector<fs::path> inputs(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".sbx") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// The import cases of `dir`: every NAME.args, and every NAME.json that has no NAME.args.
std::vector<fs::path> import_cases(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const fs::path& p = e.path();
    if (p.extension() == ".args" || (p.extension() == ".json" && !fs::exists(fs::path(p).replace_extension(".args"))))
      out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs one import case; the policy goes to stdout and the diagnostics to a file, so each is
// compared on its own.
bool import_case(const std::string& polc, const fs::path& dir, const fs::path& in, bool update) {
  std::string args = in.filename().string();
  if (in.extension() == ".args") {
    args = read_file(in);
    while (!args.empty() && (args.back() == '\n' || args.back() == ' ')) args.pop_back();
  }
  const std::string stem = in.stem().string();
  const fs::path errors = fs::temp_directory_path() / ("polc-golden-import-" + stem + ".err");
  const Run r = run("('" + polc + "' import oci " + args + " 2>'" + errors.string() + "')", dir);
  const std::string diagnostics = read_file(errors);
  fs::remove(errors);
  bool ok = check(fs::path(dir) / (stem + ".expected"), diagnostics + "exit status: " + std::to_string(r.status) + "\n",
                  update);
  if (r.status != 0) return ok;
  ok = check(fs::path(dir) / (stem + ".sbx"), r.output, update) && ok;
  // The promise of the verb: what it prints compiles and is formatted.
  const fs::path policy = fs::temp_directory_path() / ("polc-golden-import-" + stem + ".sbx");
  std::ofstream(policy, std::ios::binary) << r.output;
  for (const std::string verb : {"check", "fmt --check"}) {
    const Run c = run("'" + polc + "' " + verb + " '" + policy.string() + "'", dir);
    if (c.status != 0) {
      std::cerr << "IMPORTED POLICY FAILS `polc " << verb << "` " << stem << "\n" << c.output;
      ok = false;
    }
  }
  fs::remove(policy);
  return ok;
}

int coverage(const std::string& polc, const std::vector<fs::path>& dirs) {
  const fs::path& dir = dirs.front();
  const Run list = run("'" + polc + "' explain --list", dir);
  std::set<std::string> codes, seen;
  std::istringstream ls(list.output);
  for (std::string line; std::getline(ls, line);)
    if (!line.empty()) codes.insert(line.substr(0, line.find(' ')));
  // Only codes that were reported: `error[E0201]`, JSON `"code": "E0201"`, SARIF `"ruleId": "E0201"`
  // (a SARIF run also lists every rule, which must not count).
  const std::regex code_re(R"((?:(?:error|warning)\[|"code": "|"ruleId": ")([EW][0-9]{4}))");
  for (const fs::path& d : dirs) {
    for (const auto& e : fs::directory_iterator(d)) {
      if (e.path().extension() != ".expected") continue;
      const std::string text = read_file(e.path());
      for (std::sregex_iterator it(text.begin(), text.end(), code_re), end; it != end; ++it) seen.insert((*it)[1]);
    }
  }
  int missing = 0;
  for (const auto& c : codes)
    if (seen.count(c) == 0) {
      std::cerr << "no golden case produces " << c << "\n";
      ++missing;
    }
  if (codes.empty()) std::cerr << "polc explain --list printed no codes\n";
  std::cout << (codes.size() - static_cast<size_t>(missing)) << " passed, " << missing << " failed\n";
  return missing == 0 && !codes.empty() ? 0 : 1;
}

// One build case: the diagnostics, then each artifact (text verbatim, binary as SHA-256).
bool build_case(const std::string& polc, const fs::path& dir, const fs::path& in, bool update) {
  const std::string stem = in.stem().string();
  const fs::path out = fs::temp_directory_path() / ("polc-golden-build-" + stem);
  fs::remove_all(out);
  std::string args = "'" + in.filename().string() + "' -o {out}";
  if (fs::exists(fs::path(in).replace_extension(".args"))) {
    args = read_file(fs::path(in).replace_extension(".args"));
    while (!args.empty() && (args.back() == '\n' || args.back() == ' ')) args.pop_back();
  }
  for (size_t at; (at = args.find("{out}")) != std::string::npos;) args.replace(at, 5, "'" + out.string() + "'");
  const Run r = run("'" + polc + "' build " + args, dir);
  std::string log = r.output;
  for (size_t at; (at = log.find(out.string())) != std::string::npos;) log.replace(at, out.string().size(), "{out}");
  bool ok =
      check(fs::path(dir) / (stem + ".expected"), log + "exit status: " + std::to_string(r.status) + "\n", update);
  std::vector<fs::path> files;
  if (fs::exists(out))
    for (const auto& e : fs::recursive_directory_iterator(out))
      // sources/ holds copies of the inputs; the manifest's golden file records their digests.
      if (e.is_regular_file() && e.path().parent_path().filename() != "sources" &&
          e.path().string().find("/sources/") == std::string::npos)
        files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    const std::string name = f.filename().string();
    const bool binary = f.extension() == ".bpf";
    const std::string actual =
        binary ? run("sha256sum < '" + f.string() + "' | cut -d' ' -f1", dir).output : read_file(f);
    ok = check(fs::path(dir) / (stem + "." + name + (binary ? ".sha256" : "") + ".expected"), actual, update) && ok;
  }
  fs::remove_all(out);
  return ok;
}

// One bundle case: NAME.sh runs in a fresh temporary directory with $POLC and $CASES (this
// directory) set; its stdout and stderr together, with the temporary directory's path spelled
// {tmp}, and its exit status are compared with NAME.expected.
bool bundle_case(const std::string& polc, const fs::path& dir, const fs::path& in, bool update) {
  char pattern[] = "/tmp/polc-golden-bundle-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return false;
  const fs::path tmp = pattern;
  const Run r = run("POLC='" + polc + "' CASES='" + dir.string() + "' bash -eu '" + in.string() + "'", tmp);
  std::string log = r.output;
  for (size_t at; (at = log.find(tmp.string())) != std::string::npos;) log.replace(at, tmp.string().size(), "{tmp}");
  fs::remove_all(tmp);
  return check(fs::path(in).replace_extension(".expected"), log + "exit status: " + std::to_string(r.status) + "\n",
               update);
}

// One diff or eval case (`verb`): text (with diagnostics and exit status), then each of `formats`
// (stdout only).
bool args_case(const std::string& polc, const std::string& verb, const std::vector<std::string>& formats,
               const fs::path& dir, const fs::path& in, bool update) {
  std::string args = read_file(in);
  while (!args.empty() && (args.back() == '\n' || args.back() == ' ')) args.pop_back();
  const std::string stem = in.stem().string();
  const Run r = run("'" + polc + "' " + verb + " " + args, dir);
  bool ok = check(dir / (stem + ".expected"), r.output + "exit status: " + std::to_string(r.status) + "\n", update);
  for (const std::string& format : formats) {
    const Run f = run("('" + polc + "' " + verb + " --format " + format + " " + args + " 2>/dev/null)", dir);
    ok = check(dir / (stem + "." + format + ".expected"), f.output, update) && ok;
    if (f.status != r.status) {
      std::cerr << "EXIT STATUS of --format " << format << " differs for " << stem << ": " << f.status << "\n";
      ok = false;
    }
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || (argc > 4 && std::string(argv[3]) != "coverage")) {
    std::cerr << "usage: polc_golden_runner POLC DIR SUITE (or POLC DIR coverage [MORE_DIRS...])\n";
    return 2;
  }
  const std::string polc = fs::absolute(argv[1]).string();
  const fs::path dir = argv[2];
  const std::string suite = argv[3];
  const bool update = std::getenv("POLC_UPDATE_GOLDEN") != nullptr;
  if (suite == "coverage") {
    std::vector<fs::path> dirs = {dir};
    dirs.insert(dirs.end(), argv + 4, argv + argc);
    return coverage(polc, dirs);
  }
  if (suite == "import") {
    int passed = 0, failed = 0;
    for (const fs::path& in : import_cases(dir)) (import_case(polc, dir, in, update) ? passed : failed)++;
    std::cout << passed << " passed, " << failed << " failed\n";
    if (passed + failed == 0) std::cerr << "no inputs in " << dir << "\n";
    return failed == 0 && passed > 0 ? 0 : 1;
  }

  int passed = 0, failed = 0;
  if (suite == "diff" || suite == "eval") {
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".args") cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    const std::vector<std::string> formats =
        suite == "diff" ? std::vector<std::string>{"json", "md"} : std::vector<std::string>{"json"};
    for (const fs::path& in : cases) (args_case(polc, suite, formats, dir, in, update) ? passed : failed)++;
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 && passed > 0 ? 0 : 1;
  }
  if (suite == "bundle") {
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".sh") cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    for (const fs::path& in : cases) (bundle_case(polc, dir, in, update) ? passed : failed)++;
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 && passed > 0 ? 0 : 1;
  }
  if (suite == "build") {
    // Cases: every NAME.args, and every NAME.sbx without one.
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".args" ||
          (e.path().extension() == ".sbx" && !fs::exists(fs::path(e.path()).replace_extension(".args"))))
        cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    for (const fs::path& in : cases) (build_case(polc, dir, in, update) ? passed : failed)++;
    std::cout << passed << " passed, " << failed << " failed\n";
    return failed == 0 && passed > 0 ? 0 : 1;
  }
  for (const fs::path& in : inputs(dir)) {
    const std::string name = in.filename().string();
    const fs::path expected = fs::path(in).replace_extension(".expected");
    bool ok = true;
    if (suite == "diagnostics") {
      std::string format;
      if (name.find(".json.") != std::string::npos) format = " --format json";
      if (name.find(".sarif.") != std::string::npos) format = " --format sarif";
      std::string options;
      if (const fs::path args = fs::path(in).replace_extension(".args"); fs::exists(args)) {
        options = " " + read_file(args);
        while (!options.empty() && (options.back() == '\n' || options.back() == ' ')) options.pop_back();
      }
      const Run r = run("'" + polc + "' check" + format + options + " '" + name + "'", dir);
      const std::string output = format == " --format sarif" ? with_docs_placeholder(r.output) : r.output;
      ok = check(expected, output + "exit status: " + std::to_string(r.status) + "\n", update);
    } else if (suite == "fmt") {
      const Run r = run("'" + polc + "' fmt '" + name + "'", dir);
      ok = check(expected, r.output, update);
      // Idempotence: the formatted text must format to itself.
      if (ok && r.status == 0) {
        const fs::path tmp = fs::temp_directory_path() / ("polc-golden-" + name);
        std::ofstream(tmp, std::ios::binary) << r.output;
        const Run again = run("'" + polc + "' fmt '" + tmp.string() + "'", dir);
        fs::remove(tmp);
        if (again.output != r.output) {
          std::cerr << "NOT IDEMPOTENT " << name << "\n--- first\n" << r.output << "--- second\n" << again.output;
          ok = false;
        }
      }
    } else if (suite == "test") {
      const Run r = run("'" + polc + "' test '" + name + "'", dir);
      ok = check(expected, r.output + "exit status: " + std::to_string(r.status) + "\n", update);
      const std::string stem = in.stem().string();
      for (const std::string format : {"json", "junit"}) {
        const Run f = run("('" + polc + "' test --format " + format + " '" + name + "' 2>/dev/null)", dir);
        ok = check(dir / (stem + "." + format + ".expected"), f.output, update) && ok;
        if (f.status != r.status) {
          std::cerr << "EXIT STATUS of --format " << format << " differs for " << name << ": " << f.status << "\n";
          ok = false;
        }
      }
    } else if (suite == "ir") {
      const Run r = run("'" + polc + "' ir '" + name + "'", dir);
      ok = check(expected, r.output + "exit status: " + std::to_string(r.status) + "\n", update);
    } else {
      std::cerr << "unknown suite " << suite << "\n";
      return 2;
    }
    (ok ? passed : failed)++;
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  if (passed + failed == 0) {
    std::cerr << "no inputs in " << dir << "\n";
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
