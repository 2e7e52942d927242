#pragma once
// What the built-in modules do to a static file's response, asked before there is a pipeline:
// the server serves a static file directly (server/direct_static.h) only when no native module
// runs for it and these say the built-in modules would leave it exactly as the static file
// handler makes it. Every answer errs towards "no": the pipeline then runs as always.
#include <cstdint>
#include <string>
#include <string_view>

#include "http/exchange.h"
#include "http/message.h"
#include "modules/runtime.h"

namespace hs::modules {

// Whether built-in module `name` is one whose work on a static file the two checks below
// cover (request filtering, logging, custom errors, compression). The others (custom
// headers, client cache, redirects, directory listing) change responses the direct path does
// not know about: where one runs, every request takes the pipeline.
bool covered_by_direct_path(std::string_view name);

// Before the file is known: request filtering lets the request through (and does not remove
// Server), the access log (when one is due) is one direct_log_line() can write, and the request
// asks for nothing that could end in an error page or a 304 (no Range or conditional fields).
// `url` is the decoded, normalised path.
bool leaves_request_alone(const PathConfig& c, const http::RequestHead& req, std::string_view url);

// Whether leaves_request_alone() reads header fields other than the conditional ones (request
// filtering's headerLimits or a filtering rule that scans headers): when it does not, its answer
// for one method and target stays the same whatever else the request carries.
bool request_checks_read_fields(const PathConfig& c);
// The request carries Range or a conditional field (see leaves_request_alone).
bool has_conditional_fields(const http::RequestHead& req);

// Once the file is known: static compression would neither compress it nor add Vary (too small
// or not a compressible type, or off here).
bool leaves_file_alone(const PathConfig& c, uint64_t size, std::string_view content_type);

// The access-log line HttpLoggingModule would write for this request answered 200, into *line
// (false: none is due here). Formatted before the answer is sent (the request's
// fields may go with the exchange): time-taken is the time until then, which for a file served
// from the cache is what the pipeline's line shows too.
bool direct_log_line(const PathConfig& c, const http::Exchange& ex, std::string_view url,
                     int64_t start_ms, std::string* line, int64_t* now_s);
// Queues a line direct_log_line() made (LogWriter: on disk within a second).
void append_direct_log(const PathConfig& c, int64_t now_s, const std::string& line);

}  // namespace hs::modules
