#include "remote/sse_parser.h"

namespace wasinn::remote {

std::vector<SseEvent> SseParser::feed(std::string_view bytes) {
  std::vector<SseEvent> out;
  bytes_seen_ += bytes.size();
  for (char c : bytes) {
    // A line ends at "\r\n", "\n" or "\r"; a '\n' right after a '\r' ends nothing new.
    if (c == '\n' && after_cr_) {
      after_cr_ = false;
      continue;
    }
    after_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      take_line(out);
    } else {
      line_ += c;
    }
  }
  return out;
}

void SseParser::take_line(std::vector<SseEvent>& out) {
  if (line_.empty()) {  // a blank line dispatches the event, if it has data
    if (has_data_) out.push_back(std::move(event_));
    event_ = SseEvent{};
    has_fields_ = has_data_ = false;
    return;
  }
  if (line_[0] != ':') {  // ':' starts a comment
    auto colon = line_.find(':');
    std::string_view field(line_.data(), colon == std::string::npos ? line_.size() : colon);
    std::string_view value;
    if (colon != std::string::npos) {
      value = std::string_view(line_).substr(colon + 1);
      if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
      if (has_data_) event_.data += '\n';
      event_.data += value;
      has_data_ = has_fields_ = true;
    } else if (field == "event") {
      event_.type = std::string(value);
      has_fields_ = true;
    }
  }
  line_.clear();
}

}  // namespace wasinn::remote
