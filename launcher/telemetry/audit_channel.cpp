// Stage: launcher telemetry. The audit channel (audit_channel.h).
#include "launcher/telemetry/audit_channel.h"

#include <linux/audit.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "compiler/posix/clock.h"

namespace polc::telemetry {

namespace {

constexpr int64_t kReaderCheckIntervalMs = 1000;
constexpr uint32_t kEnabledLocked = 2;

std::string describe(int error) { return std::strerror(error); }

bool process_exists(int pid) { return ::kill(pid, 0) == 0 || errno != ESRCH; }

}  // namespace

const char* audit_access_name(AuditAccess access) {
  switch (access) {
    case AuditAccess::Reader: return "reader";
    case AuditAccess::Multicast: return "multicast";
    case AuditAccess::Unavailable: return "unavailable";
  }
  return "unavailable";
}

AuditChannel::AuditChannel(AuditChannelOptions options)
    : options_(options), owner_pid_(static_cast<int>(::getpid())), buffer_(audit_netlink::kReceiveBufferSize) {
  int error = 0;
  auto reader = audit_netlink::open_socket(true, error);
  if (!reader) {
    message_ = error == EPROTONOSUPPORT ? "audit is not available: this kernel has no audit support"
                                        : "audit is not available: cannot open its socket: " + describe(error);
    return;
  }
  reader_ = std::move(*reader);
  if (::setsockopt(reader_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &options_.receive_buffer, sizeof(int)) != 0)
    ::setsockopt(reader_.get(), SOL_SOCKET, SO_RCVBUF, &options_.receive_buffer, sizeof(int));
  if (auto control = audit_netlink::open_socket(false, error)) control_ = std::move(*control);

  audit_netlink::Status status;
  const int get_error = control_.valid() ? audit_netlink::get_status(control_.get(), status) : error;
  if (get_error != 0) {
    // Without CAP_AUDIT_CONTROL the status is out of reach, but CAP_AUDIT_READ may still be held.
    if (!join_as_member(0))
      message_ = "audit is not available: cannot query it (" + describe(get_error) +
                 ", needs CAP_AUDIT_CONTROL) nor read its multicast group (" + message_ + ", needs CAP_AUDIT_READ)";
    return;
  }
  status_known_ = true;
  initial_ = status;
  original_ = users_.join({status.enabled, status.backlog_limit});
  if (status.pid != 0 && !process_exists(static_cast<int>(status.pid))) clear_stale_reader(status);
  std::string why_not_reader = "reader pid " + std::to_string(status.pid) + " registered";
  if (status.pid == 0) {
    if (become_reader(status) == 0) return;
    why_not_reader = message_;
    audit_netlink::get_status(control_.get(), initial_);  // a reader that came first may have turned audit on
  }
  if (!join_as_member(static_cast<int>(status.pid)))
    message_ = "audit is not available: " + why_not_reader + ", and cannot read its multicast group (" + message_ + ")";
}

AuditChannel::~AuditChannel() { close(); }

// A reader killed without unregistering stays registered until the kernel fails to send it a
// record; a user message makes it try. Best effort: false when the registration stays.
bool AuditChannel::clear_stale_reader(audit_netlink::Status& status) {
  audit_netlink::send_user_message(control_.get(), "sbx-exec: the registered audit reader is gone");
  for (int attempt = 0; attempt < 20; ++attempt) {
    if (audit_netlink::get_status(control_.get(), status) != 0) return false;
    if (status.pid == 0) return true;
    struct timespec pause = {0, 10 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  return false;
}

int AuditChannel::become_reader(const audit_netlink::Status& status) {
  audit_netlink::StatusChange change;
  change.pid = static_cast<uint32_t>(owner_pid_);
  if (status.enabled == 0) change.enabled = 1;  // locked (2) or on (1): leave it
  if (status.backlog_limit < options_.backlog_limit && status.enabled != kEnabledLocked)
    change.backlog_limit = options_.backlog_limit;
  const int error = audit_netlink::set_status(reader_.get(), change, &AuditChannel::take_record, this);
  if (error != 0) {
    // The kernel applies `enabled` before it refuses the pid (EEXIST: a reader registered in
    // between). That reader now relies on audit being on: leave it so.
    message_ = "cannot register as the audit reader: " + describe(error);
    return error;
  }
  initial_ = status;
  enabled_changed_ = change.enabled.has_value();
  backlog_changed_ = change.backlog_limit.has_value();
  access_ = AuditAccess::Reader;
  message_ = std::string("reading audit as its registered reader (audit ") +
             (enabled_changed_ ? "was off: on for the run" : "was on") +
             (backlog_changed_ ? ", backlog limit raised for the run" : "") + "; restored at exit)";
  return 0;
}

namespace {

// The file name a process runs ("sbx-exec", "auditd"); "" when it cannot be read.
std::string program_of(const std::string& pid) {
  char target[4096];
  const ssize_t n = readlink(("/proc/" + pid + "/exe").c_str(), target, sizeof target - 1);
  if (n <= 0) return "";
  const std::string path(target, static_cast<size_t>(n));
  return path.substr(path.rfind('/') + 1);
}

}  // namespace

bool AuditChannel::join_as_member(int holder_pid) {
  const int error = audit_netlink::join_multicast(reader_.get());
  if (error != 0) {
    message_ = describe(error);
    reader_.reset();
    return false;
  }
  access_ = AuditAccess::Multicast;
  // The registration is taken over only from another supervisor: an audit daemon that lets go
  // (a restart) must get it back, not find sbx-exec in its place.
  if (holder_pid > 0 && program_of(std::to_string(holder_pid)) != program_of("self")) may_take_over_ = false;
  message_ = "reading audit's multicast group";
  if (holder_pid > 0) message_ += " beside its reader (pid " + std::to_string(holder_pid) + ")";
  if (status_known_ && initial_.enabled == 0) message_ += "; audit is off, so the kernel logs no refusals";
  last_reader_check_ms_ = clock_ms(CLOCK_MONOTONIC);
  return true;
}

// Multicast: when the reader has let go, registers in its place (its own restore may have turned
// audit off; this run still needs it on, and restores what it finds now at its own exit).
void AuditChannel::check_reader() {
  reader_check_due_ = false;
  last_reader_check_ms_ = clock_ms(CLOCK_MONOTONIC);
  audit_netlink::Status status;
  if (!may_take_over_ || !status_known_ || !control_.valid() || audit_netlink::get_status(control_.get(), status) != 0)
    return;
  if (status.pid != 0) {
    // A dead reader: make the kernel notice now, and take over at the next check, without
    // waiting here (the supervisor has a payload to look after).
    if (!process_exists(static_cast<int>(status.pid))) {
      audit_netlink::send_user_message(control_.get(), "sbx-exec: the registered audit reader is gone");
      reader_check_due_ = true;
    }
    return;
  }
  const audit_netlink::Status before = initial_;
  const std::string message = message_;
  if (const int error = become_reader(status)) {
    initial_ = before;
    message_ = message;
    // Not allowed to (no CAP_AUDIT_CONTROL): no point in asking every second. EEXIST: another
    // reader came first, and may let go in turn.
    if (error == EPERM || error == EACCES) may_take_over_ = false;
    return;
  }
  audit_netlink::leave_multicast(reader_.get());  // else every record would come twice
  initial_.lost = before.lost;                    // lost_delta() counts from the channel's opening
  ++takeovers_;
  message_ += "; took the registration over from a reader that let go";
}

void AuditChannel::take_record(void* self, uint16_t type, std::string_view text) {
  auto* channel = static_cast<AuditChannel*>(self);
  channel->assembler_.add(type, text, channel->early_);
}

size_t AuditChannel::read_available(std::vector<AssembledEvent>& out, size_t max_records) {
  for (auto& event : early_) out.push_back(std::move(event));
  early_.clear();
  if (!reader_.valid()) return 0;
  size_t records = 0;
  // Bounded by messages, not records: a flood of messages that are dropped costs the same.
  for (size_t messages = 0; messages < max_records; ++messages) {
    std::string_view text;
    int error = 0;
    const uint16_t type = audit_netlink::receive(reader_.get(), buffer_.data(), buffer_.size(), text, error);
    if (type == 0) {
      if (error == ENOBUFS) ++overruns_;
      if (error == 0 || error == EINTR || error == ENOBUFS) continue;
      break;  // EAGAIN: drained
    }
    ++records;
    if (type < AUDIT_FIRST_USER_MSG) continue;  // a late answer to a request
    if (type == audit_netlink::kMarkerType) {
      // The marker comes after every record queued before it: what is still waiting for an EOE
      // will not get one.
      if (!marker_.empty() && text.find(marker_) != std::string_view::npos) {
        synced_ = true;
        assembler_.complete_all(out);
      }
      continue;
    }
    if (type == AUDIT_CONFIG_CHANGE && access_ == AuditAccess::Multicast &&
        (text.find(" audit_pid=0 ") != std::string_view::npos ||
         text.find(" audit_enabled=0 ") != std::string_view::npos))
      reader_check_due_ = true;
    assembler_.add(type, text, out);
  }
  assembler_.complete_older_than(clock_ms(CLOCK_REALTIME), options_.event_max_age_ms, out);
  if (access_ == AuditAccess::Multicast &&
      (reader_check_due_ || clock_ms(CLOCK_MONOTONIC) - last_reader_check_ms_ >= kReaderCheckIntervalMs))
    check_reader();
  return records;
}

void AuditChannel::flush(std::vector<AssembledEvent>& out) {
  for (auto& event : early_) out.push_back(std::move(event));
  early_.clear();
  assembler_.complete_all(out);
}

bool AuditChannel::begin_sync() {
  static uint64_t markers = 0;
  synced_ = false;
  marker_ = "sbx-exec sync " + std::to_string(owner_pid_) + "." + std::to_string(++markers) + "." +
            std::to_string(clock_ms(CLOCK_MONOTONIC));
  if (access_ == AuditAccess::Unavailable || !control_.valid() ||
      audit_netlink::send_user_message(control_.get(), marker_) != 0) {
    marker_.clear();
    return false;
  }
  return true;
}

uint64_t AuditChannel::queued() const {
  audit_netlink::Status now;
  if (!status_known_ || !control_.valid() || audit_netlink::get_status(control_.get(), now) != 0) return 0;
  return now.backlog;
}

uint64_t AuditChannel::lost_delta() const {
  uint64_t lost = 0;
  audit_netlink::Status now;
  if (status_known_ && control_.valid() && audit_netlink::get_status(control_.get(), now) == 0)
    lost = static_cast<uint32_t>(now.lost - initial_.lost);  // the counter wraps at 2^32
  return lost + overruns_;
}

void AuditChannel::pause() noexcept {
  if (access_ != AuditAccess::Reader || static_cast<int>(::getpid()) != owner_pid_) return;
  audit_netlink::StatusChange change;
  change.pid = 0;
  paused_ = audit_netlink::set_status(control_.valid() ? control_.get() : reader_.get(), change) == 0;
}

void AuditChannel::resume() noexcept {
  if (!paused_) return;
  paused_ = false;
  audit_netlink::StatusChange change;
  change.pid = static_cast<uint32_t>(owner_pid_);
  if (audit_netlink::set_status(reader_.get(), change, &AuditChannel::take_record, this) == 0) return;
  // Someone registered meanwhile: read beside it.
  if (audit_netlink::join_multicast(reader_.get()) == 0) access_ = AuditAccess::Multicast;
}

void AuditChannel::close() noexcept {
  const bool owner = static_cast<int>(::getpid()) == owner_pid_;
  if (owner && access_ != AuditAccess::Unavailable) {
    // Only the last supervisor puts audit back, to what it was before the first: one that
    // turned it off under another's run would lose that run's refusals.
    const bool last = users_.leave_last();
    audit_netlink::StatusChange restore;
    if (access_ == AuditAccess::Reader) restore.pid = 0;  // the others take the registration over
    if (original_) {
      audit_netlink::Status now;
      // Never under another reader (an audit daemon that started meanwhile relies on audit on).
      if (last && control_.valid() && audit_netlink::get_status(control_.get(), now) == 0 &&
          now.enabled != kEnabledLocked && (now.pid == 0 || static_cast<int>(now.pid) == owner_pid_)) {
        if (original_->enabled == 0 && now.enabled == 1) restore.enabled = 0u;
        if (now.backlog_limit != original_->backlog_limit) restore.backlog_limit = original_->backlog_limit;
      }
    } else if (access_ == AuditAccess::Reader) {
      if (enabled_changed_) restore.enabled = initial_.enabled;
      if (backlog_changed_) restore.backlog_limit = initial_.backlog_limit;
    }
    const int fd = control_.valid() ? control_.get() : reader_.get();
    if (restore.pid || restore.enabled || restore.backlog_limit) audit_netlink::set_status(fd, restore);
  }
  access_ = AuditAccess::Unavailable;
  reader_.reset();
  control_.reset();
}

}  // namespace polc::telemetry
