// Unit tests of what sbx-exec decides about the OS layer without a kernel: the limits' events as
// JSON lines (launcher/telemetry/event_json.h, layer "limits") and whether a workspace is
// committed or discarded (launcher/workspace_verdict.h) for each way a run can end.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "launcher/telemetry/event_json.h"
#include "launcher/telemetry/ocsf.h"
#include "launcher/workspace_verdict.h"

using namespace polc;
using namespace polc::telemetry;
using polc::launcher::decide_workspace;
using polc::launcher::RunObservation;

namespace {

Event limit_event(const char* decision, const char* limit, uint64_t value, std::optional<uint64_t> count) {
  Event e;
  e.time = "2026-12-06T10:00:00.000000Z";
  e.layer = Layer::Limits;
  e.decision = decision;
  e.request.limit = limit;
  e.request.value = value;
  e.request.count = count;
  e.rule.known = true;
  e.rule.at = "sources/os_layer.sbx:4";
  e.rule.text = "memory 64MiB";
  return e;
}

RunObservation clean_run() {
  RunObservation run;
  run.layers = {{"seccomp", ""}, {"landlock", ""}, {"launcher", ""}, {"limits", ""}, {"nftables", ""}};
  return run;
}

size_t index_of(Layer layer) { return static_cast<size_t>(layer); }

}  // namespace

TEST_CASE("a limit's event line") {
  const std::string line = event_line(limit_event("oom_kill", "memory", 67108864, 1), BundleId{"p", 2, "ab"});
  CHECK(line ==
        R"({"decision":"oom_kill","event":"refusal","layer":"limits","ocsf":{"action_id":2,"activity_id":99,)"
        R"("category_uid":1,"class_name":"Process Activity","class_uid":1007,"disposition_id":2,"severity_id":4,)"
        R"("type_uid":100799},"policy":{"manifest_sha256":"ab","name":"p","version":2},"process":{"comm":null,)"
        R"("exe":null,"pid":null,"ppid":null,"uid":null},"request":{"count":1,"limit":"memory","value":67108864},)"
        R"("rule":{"at":"sources/os_layer.sbx:4","default":false,"text":"memory 64MiB"},"schema":"polc.event/1",)"
        R"("time":"2026-12-06T10:00:00.000000Z"})");
  CHECK(layer_name(Layer::Limits) == std::string("limits"));
  // A refused fork is a refusal (medium), the OOM killer and the wall clock are kills (high).
  CHECK(ocsf_class(limit_event("tasks_max", "tasks", 16, 40)).severity_id == 3);
  CHECK(ocsf_class(limit_event("time_limit", "time", 1000, std::nullopt)).severity_id == 4);
  const auto time = nlohmann::json::parse(event_line(limit_event("time_limit", "time", 1000, std::nullopt), {}));
  CHECK(!time["request"].contains("count"));
  CHECK(time["request"]["limit"] == "time");
}

TEST_CASE("a workspace is committed only after a clean run") {
  polc::launcher::os::Workspace w;  // the default: discard on kill, failure and every refusal
  RunObservation run = clean_run();
  CHECK(decide_workspace(w, run).commit);

  RunObservation killed = clean_run();
  killed.signal = 31;
  auto v = decide_workspace(w, killed);
  CHECK(!v.commit);
  CHECK(v.reason == "the payload was killed by signal 31 (SIGSYS)");
  killed.signal = 9;
  killed.time_limit_hit = true;
  CHECK(decide_workspace(w, killed).reason == "the payload was killed by signal 9 (SIGKILL) at the time limit");
  killed.time_limit_hit = false;
  killed.oom_kills = 1;
  CHECK(decide_workspace(w, killed).reason ==
        "the payload was killed by signal 9 (SIGKILL) by the OOM killer at the memory limit");

  RunObservation failed = clean_run();
  failed.exit_code = 3;
  CHECK(decide_workspace(w, failed).reason == "the payload exited with status 3");

  RunObservation refused = clean_run();
  refused.counts.refusals[index_of(Layer::Landlock)] = 2;
  CHECK(decide_workspace(w, refused).reason == "2 landlock refusals");
  refused.counts.refusals[index_of(Layer::Landlock)] = 0;
  refused.counts.refusals[index_of(Layer::Limits)] = 1;
  CHECK(decide_workspace(w, refused).reason == "1 limits refusal");

  // Not knowing is a refusal: a counted layer without telemetry, or records the kernel lost.
  RunObservation unknown = clean_run();
  unknown.layers["nftables"] = "--network-enforced-externally";
  CHECK(decide_workspace(w, unknown).reason ==
        "whether nftables refused anything is unknown: --network-enforced-externally");
  RunObservation lost = clean_run();
  lost.counts.lost = 5;
  CHECK(!decide_workspace(w, lost).commit);

  // A process that outlived the kill may still write the upper layer: never committed, whatever
  // the workspace's own discard conditions say.
  RunObservation lingering = clean_run();
  lingering.left_running = 2;
  CHECK(decide_workspace(w, lingering).reason == "2 processes of the run could not be killed");
  polc::launcher::os::Workspace lenient;
  lenient.discard_on_kill = lenient.discard_on_failure = lenient.discard_on_refusal = false;
  CHECK(decide_workspace(lenient, clean_run()).commit);
  CHECK(!decide_workspace(lenient, lingering).commit);
}

TEST_CASE("a workspace's own discard conditions") {
  polc::launcher::os::Workspace w;
  w.refusal_layers = {"seccomp"};
  RunObservation run = clean_run();
  run.layers["nftables"] = "not read";
  run.counts.refusals[index_of(Layer::Landlock)] = 4;
  CHECK(decide_workspace(w, run).commit);  // only seccomp counts, and nftables does not matter
  run.counts.refusals[index_of(Layer::Seccomp)] = 1;
  CHECK(decide_workspace(w, run).reason == "1 seccomp refusal");
  w.refusal_layers = {"proxy"};
  CHECK(decide_workspace(w, run).reason ==
        "whether proxy refused anything is unknown: this run does not read proxy refusals");

  polc::launcher::os::Workspace lenient;
  lenient.discard_on_kill = lenient.discard_on_failure = lenient.discard_on_refusal = false;
  RunObservation bad = clean_run();
  bad.signal = 9;
  bad.counts.lost = 1;
  CHECK(decide_workspace(lenient, bad).commit);
  polc::launcher::os::Workspace on_failure_only = lenient;
  on_failure_only.discard_on_failure = true;
  bad.signal.reset();
  bad.exit_code = 1;
  CHECK(!decide_workspace(on_failure_only, bad).commit);
}
