// An incremental parser of server-sent events (the WHATWG "text/event-stream" format): bytes go
// in as they arrive from the network, in pieces of any size, and whole events come out. Only
// what OpenAI-compatible engines use is kept: the `event` and `data` fields (multi-line data
// joined with '\n'); comments (":") and other fields (id, retry) are skipped as the format says.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wasinn::remote {

struct SseEvent {
  std::string type;  // the `event` field; empty means the default, "message"
  std::string data;
};

class SseParser {
 public:
  // Parses what it can of `bytes`; the end of a line or an event split across calls waits for
  // the next call. Returns the events completed by these bytes, in order.
  std::vector<SseEvent> feed(std::string_view bytes);
  // True while bytes of an unfinished line or event are held (the stream then ended mid-event).
  bool mid_event() const { return !line_.empty() || has_fields_; }
  // Total bytes fed so far.
  size_t bytes_seen() const { return bytes_seen_; }

 private:
  void take_line(std::vector<SseEvent>& out);

  std::string line_;     // the current line, without its terminator
  bool after_cr_ = false;  // the last byte was '\r': a '\n' right after belongs to it
  bool has_fields_ = false;  // the current event has a data or event field
  bool has_data_ = false;
  SseEvent event_;
  size_t bytes_seen_ = 0;
};

}  // namespace wasinn::remote
