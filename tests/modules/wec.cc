// Test-only handler module: runs a WriteEntityChunks script given in the query string and
// reports every call's result, so tests/integration/test_response_body.py can assert both the
// exact bytes on the wire and what each API call returned.
//
//   /any?id=NAME&ops=OP;OP;...
//
// Each OP is `verb[/flags][:arg]`; pieces are split on ';', ':' and '+' first and then
// percent-decoded, so %3B, %3A and %2B put those characters into text.
//
//   status:CODE           SetStatus(CODE, NULL)                          -> "status hr=H"
//   hdr:NAME=VALUE        SetHeader(NAME, VALUE, fReplace=TRUE)          -> "hdr hr=H"
//   nobuf                 DisableBuffering()
//   write[/F]:CHUNKS      WriteEntityChunks                              -> "write hr=H sent=N
//   exp=E" flush[/F]             Flush                                          -> "flush hr=H
//   sent=N exp=E" byref[/POS]:CHUNK     WriteEntityChunkByReference(chunk, POS; default -1); memory
//   chunks are
//                         copied into AllocateRequestMemory first        -> "byref hr=H"
//   clear                 Clear()
//   disconnect            SetNeedDisconnect()                            -> "disconnect"
//   trunc:N               GetRawHttpResponse()->EntityChunkCount = N     -> "trunc count=OLD"
//   rawstatus:N           GetRawHttpResponse()->StatusCode = N           -> "trunc count=OLD"
//   report                SetHeader("X-Wec", <trace so far>)
//   sent                  GetResponseHeadersSent()                       -> "sent=0|1"
//   stream[/F]:N,SIZE     N writes of SIZE pattern bytes, one after the other (each waits for
//                         its completion)                                -> "stream done=K"
//                         plus, if one fails, its completion record
//   wait                  wait for every completion still outstanding
//
// Flags F (write, flush, stream): a = fAsync; 2 = IHttpResponse2 (v2 callback); 0 = the
// IHttpResponse2 entry point with a NULL callback; n = pfCompletionExpected NULL; p = pcbSent
// NULL; l = last (fMoreData=FALSE); g = go on without waiting for this call's completion (it is
// awaited by `wait` or at the end).
//
// CHUNKS = CHUNK ('+' CHUNK)*, or empty (nChunks = 0, non-NULL array), or `nullarray`
// (pDataChunks = NULL, nChunks = 1). CHUNK:
//   m=TEXT                memory
//   r=N                   N bytes of the pattern "abc...zabc..."
//   x=N                   N one-byte memory chunks "x"
//   f=PATH[,OFF,LEN]      the file, opened here and closed right after the call returns (the
//                         server must have dup()ed it); LEN is a number or `eof` (default 0,eof)
//   fd=N                  a raw descriptor number, range 0..eof
//   closedfd              a descriptor that was just closed
//   dir=PATH              a directory descriptor; `pipe`: the read end of a pipe
//   null=N                FromMemory with pBuffer NULL and length N
//   type=N                DataChunkType N, everything else zero
//
// Records: H is 0x%08X; N is '-' when pcbSent is NULL; E is 0/1, '-' when the pointer is NULL.
// Completions add "done bytes=B hr=H op=O conn=C" (v1, OnAsyncCompletion) or "cb ..." (v2
// callback): GetCompletionBytes, GetCompletionStatus, GetCompletedOperation and
// IHttpConnection::IsConnected. Records are joined by " | ". When the script ends (every
// completion delivered) the module logs "wec id=NAME trace=<records>" through ReportEvent
// (server log, info level) and returns RQ_NOTIFICATION_CONTINUE.
//
// Async loops iterate (spec §6.6): a call that completes inline is followed by the next op in
// the same loop; only a call whose completion is expected returns PENDING.
#include <fcntl.h>
#include <httpserv.h>
#include <unistd.h>
#include <windows.h>  // ReportEvent (compat shim: the server log)

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <new>
#include <string>
#include <vector>

namespace {

IHttpServer* g_server = nullptr;
HANDLE g_log = nullptr;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string hr_text(HRESULT hr) {
  char buf[16];
  snprintf(buf, sizeof(buf), "0x%08X", static_cast<unsigned>(hr));
  return buf;
}

struct Op {
  std::string verb, flags, arg;
};

class Wec final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    ctx_ = ctx;
    PCSTR q = nullptr;
    DWORD cch = 0;
    std::string query;
    if (SUCCEEDED(ctx->GetServerVariable("QUERY_STRING", &q, &cch)) && q != nullptr) {
      query.assign(q, cch);
    }
    for (const std::string& kv : split(query, '&')) {
      size_t eq = kv.find('=');
      std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
      if (k == "id") id_ = decode(v);
      if (k != "ops") continue;
      for (const std::string& text : split(v, ';')) {
        if (text.empty()) continue;
        Op op;
        size_t colon = text.find(':');
        std::string head = text.substr(0, colon);
        if (colon != std::string::npos) op.arg = text.substr(colon + 1);
        size_t slash = head.find('/');
        op.verb = head.substr(0, slash);
        if (slash != std::string::npos) op.flags = head.substr(slash + 1);
        ops_.push_back(op);
      }
    }
    return run();
  }

  REQUEST_NOTIFICATION_STATUS OnAsyncCompletion(IHttpContext*, DWORD, BOOL, IHttpEventProvider*,
                                                IHttpCompletionInfo* info) override {
    // iisnode's cast (spec §4.6): the object is an IHttpCompletionInfo2.
    completed(static_cast<IHttpCompletionInfo2*>(info), "done");
    return run();
  }

  static REQUEST_NOTIFICATION_STATUS WINAPI callback(IHttpContext3*, IHttpCompletionInfo2* info,
                                                     VOID* self) {
    Wec* w = static_cast<Wec*>(self);
    w->completed(info, "cb");
    return w->run();
  }

 private:
  void add(const std::string& record) {
    if (!trace_.empty()) trace_ += " | ";
    trace_ += record;
  }

  void completed(IHttpCompletionInfo2* info, const char* what) {
    --outstanding_;
    IHttpConnection* conn = ctx_->GetConnection();
    std::string rec = std::string(what) + " bytes=" + std::to_string(info->GetCompletionBytes()) +
                      " hr=" + hr_text(info->GetCompletionStatus()) +
                      " op=" + std::to_string(info->GetCompletedOperation()) +
                      " conn=" + (conn != nullptr && conn->IsConnected() ? "1" : "0");
    if (in_stream_) {
      if (SUCCEEDED(info->GetCompletionStatus())) {
        ++stream_done_;
      } else {
        stream_failed_ = true;
        stream_failure_ = rec;
      }
      return;
    }
    add(rec);
  }

  // Runs ops until one waits for a completion (PENDING) or the script ends. Iterates; never
  // recurses into the next op from a completion.
  REQUEST_NOTIFICATION_STATUS run() {
    if (waiting_ && outstanding_ > 0) return RQ_NOTIFICATION_PENDING;
    waiting_ = false;
    while (pc_ < ops_.size()) {
      Next next = step(ops_[pc_]);
      if (next != Next::kWaitSame) ++pc_;
      if (next != Next::kGo) {
        waiting_ = true;
        return RQ_NOTIFICATION_PENDING;
      }
    }
    if (outstanding_ > 0) {
      waiting_ = true;
      return RQ_NOTIFICATION_PENDING;
    }
    if (!logged_) {
      logged_ = true;
      std::string line = "wec id=" + id_ + " trace=" + trace_;
      LPCSTR strings[1] = {line.c_str()};
      ReportEventA(g_log, EVENTLOG_INFORMATION_TYPE, 0, 0, nullptr, 1, 0, strings, nullptr);
    }
    return RQ_NOTIFICATION_CONTINUE;
  }

  bool has(const Op& op, char f) const { return op.flags.find(f) != std::string::npos; }

  // What run() does after an op: go on, wait for a completion and then go on with the next op,
  // or wait and then run the same op again (a stream that has more to write).
  enum class Next { kGo, kWaitNext, kWaitSame };

  Next step(const Op& op) {
    IHttpResponse* r = ctx_->GetResponse();
    if (op.verb == "status") {
      add("status hr=" + hr_text(r->SetStatus(static_cast<USHORT>(atoi(op.arg.c_str())), nullptr)));
    } else if (op.verb == "hdr") {
      std::string a = decode(op.arg);
      size_t eq = a.find('=');
      std::string name = a.substr(0, eq), value = eq == std::string::npos ? "" : a.substr(eq + 1);
      add("hdr hr=" + hr_text(r->SetHeader(name.c_str(), value.c_str(),
                                           static_cast<USHORT>(value.size()), TRUE)));
    } else if (op.verb == "nobuf") {
      r->DisableBuffering();
    } else if (op.verb == "clear") {
      r->Clear();
    } else if (op.verb == "disconnect") {
      r->SetNeedDisconnect();
      add("disconnect");
    } else if (op.verb == "report") {
      r->SetHeader("X-Wec", trace_.c_str(), static_cast<USHORT>(trace_.size()), TRUE);
    } else if (op.verb == "sent") {
      add(std::string("sent=") + (ctx_->GetResponseHeadersSent() ? "1" : "0"));
    } else if (op.verb == "trunc" || op.verb == "rawstatus") {
      HTTP_RESPONSE* raw = r->GetRawHttpResponse();
      add("trunc count=" + std::to_string(raw->EntityChunkCount));
      USHORT v = static_cast<USHORT>(atoi(op.arg.c_str()));
      if (op.verb == "trunc")
        raw->EntityChunkCount = v;
      else
        raw->StatusCode = v;
    } else if (op.verb == "byref") {
      std::vector<HTTP_DATA_CHUNK> chunks;
      std::vector<int> fds;
      parse_chunks(op.arg, &chunks, &fds, /*request_memory=*/true);
      LONG pos = op.flags.empty() ? -1 : atol(op.flags.c_str());
      HRESULT hr = r->WriteEntityChunkByReference(chunks.empty() ? nullptr : chunks.data(), pos);
      close_all(fds);
      add("byref hr=" + hr_text(hr));
    } else if (op.verb == "write" || op.verb == "flush") {
      std::vector<HTTP_DATA_CHUNK> chunks;
      std::vector<int> fds;
      bool null_array = op.arg == "nullarray";
      if (op.verb == "write" && !null_array) parse_chunks(op.arg, &chunks, &fds, false);
      HTTP_DATA_CHUNK unused{};  // nChunks 0 still gets a valid pointer
      HTTP_DATA_CHUNK* p = null_array ? nullptr : chunks.empty() ? &unused : chunks.data();
      DWORD n = null_array ? 1 : static_cast<DWORD>(chunks.size());
      return call(op, r, op.verb == "write", p, n, &fds) ? Next::kGo : Next::kWaitNext;
    } else if (op.verb == "stream") {
      return stream(op, r) ? Next::kGo : Next::kWaitSame;
    } else if (op.verb == "wait") {
      return outstanding_ == 0 ? Next::kGo : Next::kWaitNext;
    } else {
      add("unknown op " + op.verb);
    }
    return Next::kGo;
  }

  // One WriteEntityChunks/Flush call with op's flags; records it. false = wait for completion.
  bool call(const Op& op, IHttpResponse* r, bool write, HTTP_DATA_CHUNK* p, DWORD n,
            std::vector<int>* fds) {
    BOOL async = has(op, 'a'), more = !has(op, 'l');
    DWORD sent = 0xFFFFFFFF;
    BOOL expected = 2;
    DWORD* psent = has(op, 'p') ? nullptr : &sent;
    BOOL* pexp = has(op, 'n') ? nullptr : &expected;
    HRESULT hr;
    if (has(op, '2') || has(op, '0')) {
      IHttpResponse2* r2 = nullptr;
      hr = HttpGetExtendedInterface(g_server, r, &r2);
      if (SUCCEEDED(hr)) {
        // '0': the v2 entry point with a NULL callback (behaves like v1; docs/iis-compat.md).
        PFN_ASYNC_COMPLETION fn = has(op, '0') ? nullptr : &Wec::callback;
        hr = write ? r2->WriteEntityChunks(p, n, async, more, fn, this, psent, pexp)
                   : r2->Flush(async, more, fn, this, psent, pexp);
      }
    } else {
      hr = write ? r->WriteEntityChunks(p, n, async, more, psent, pexp)
                 : r->Flush(async, more, psent, pexp);
    }
    last_hr_ = hr;
    close_all(*fds);  // the server has its own copies (spec §6.7, our decision)
    bool pending = async && SUCCEEDED(hr) && (pexp == nullptr || expected == TRUE);
    if (!in_stream_) {
      add(std::string(write ? "write" : "flush") + " hr=" + hr_text(hr) + " sent=" +
          (psent ? std::to_string(sent) : "-") + " exp=" + (pexp ? std::to_string(expected) : "-"));
    }
    if (!pending) return true;
    ++outstanding_;
    return has(op, 'g');
  }

  bool stream(const Op& op, IHttpResponse* r) {
    std::vector<std::string> a = split(op.arg, ',');
    long count = atol(a[0].c_str());
    size_t size = a.size() > 1 ? static_cast<size_t>(atol(a[1].c_str())) : 1;
    if (stream_data_.size() != size) stream_data_ = pattern(size);
    in_stream_ = true;
    // Iterate: each write that completes inline is followed by the next one in this loop.
    while (!stream_failed_ && stream_issued_ < count) {
      if (outstanding_ > 0) return false;  // the previous write is still in flight
      HTTP_DATA_CHUNK c{};
      c.DataChunkType = HttpDataChunkFromMemory;
      c.FromMemory.pBuffer = stream_data_.data();
      c.FromMemory.BufferLength = static_cast<ULONG>(stream_data_.size());
      std::vector<int> none;
      ++stream_issued_;
      Op one = op;
      one.flags.erase(std::remove(one.flags.begin(), one.flags.end(), 'g'), one.flags.end());
      if (!call(one, r, true, &c, 1, &none)) continue;  // wait; re-entered via run()
      if (FAILED(last_hr_)) {
        stream_failed_ = true;
        stream_failure_ = "write hr=" + hr_text(last_hr_);
      } else if (outstanding_ == 0) {
        ++stream_done_;  // completed inline: no completion will come
      }
    }
    if (outstanding_ > 0) return false;
    in_stream_ = false;
    add("stream done=" + std::to_string(stream_done_));
    if (stream_failed_) add(stream_failure_);
    stream_issued_ = stream_done_ = 0;  // a later stream op starts afresh
    stream_failed_ = false;
    return true;
  }

  static std::string pattern(size_t n) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
      s[i] = static_cast<char>('a' + i % 26);
    return s;
  }

  // Keeps text alive for the request (unbuffered async writes borrow it until completion).
  const char* keep(std::string s, bool request_memory) {
    if (request_memory) {
      char* p = static_cast<char*>(ctx_->AllocateRequestMemory(static_cast<DWORD>(s.size() + 1)));
      if (p != nullptr) s.copy(p, s.size());
      return p;
    }
    store_.push_back(std::move(s));
    return store_.back().data();
  }

  void parse_chunks(const std::string& arg, std::vector<HTTP_DATA_CHUNK>* out,
                    std::vector<int>* fds, bool request_memory) {
    if (arg.empty()) return;
    for (const std::string& spec : split(arg, '+')) {
      size_t eq = spec.find('=');
      std::string kind = spec.substr(0, eq);
      std::string val = eq == std::string::npos ? "" : decode(spec.substr(eq + 1));
      HTTP_DATA_CHUNK c{};
      c.DataChunkType = HttpDataChunkFromMemory;
      auto memory = [&](std::string text) {
        c.FromMemory.BufferLength = static_cast<ULONG>(text.size());
        c.FromMemory.pBuffer = const_cast<char*>(keep(std::move(text), request_memory));
      };
      auto file = [&](int fd, uint64_t off, uint64_t len) {
        c.DataChunkType = HttpDataChunkFromFileHandle;
        c.FromFileHandle.FileHandle = reinterpret_cast<HANDLE>(static_cast<intptr_t>(fd));
        c.FromFileHandle.ByteRange.StartingOffset.QuadPart = off;
        c.FromFileHandle.ByteRange.Length.QuadPart = len;
      };
      if (kind == "m") {
        memory(val);
      } else if (kind == "r") {
        memory(pattern(static_cast<size_t>(atol(val.c_str()))));
      } else if (kind == "x") {
        long k = atol(val.c_str());
        const char* one = keep("x", request_memory);
        c.FromMemory.pBuffer = const_cast<char*>(one);
        c.FromMemory.BufferLength = 1;
        out->insert(out->end(), static_cast<size_t>(k), c);
        continue;
      } else if (kind == "f") {
        std::vector<std::string> parts = split(val, ',');
        int fd = open(parts[0].c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) fds->push_back(fd);
        uint64_t off = parts.size() > 1 ? strtoull(parts[1].c_str(), nullptr, 10) : 0;
        uint64_t len = parts.size() > 2 && parts[2] != "eof"
                           ? strtoull(parts[2].c_str(), nullptr, 10)
                           : HTTP_BYTE_RANGE_TO_EOF;
        file(fd, off, len);
      } else if (kind == "fd") {
        file(atoi(val.c_str()), 0, HTTP_BYTE_RANGE_TO_EOF);
      } else if (kind == "closedfd") {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
        file(fd, 0, HTTP_BYTE_RANGE_TO_EOF);
      } else if (kind == "dir") {
        int fd = open(val.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) fds->push_back(fd);
        file(fd, 0, HTTP_BYTE_RANGE_TO_EOF);
      } else if (kind == "pipe") {
        int p[2] = {-1, -1};
        if (pipe2(p, O_CLOEXEC) == 0) {
          fds->push_back(p[0]);
          fds->push_back(p[1]);
        }
        file(p[0], 0, HTTP_BYTE_RANGE_TO_EOF);
      } else if (kind == "null") {
        c.FromMemory.pBuffer = nullptr;
        c.FromMemory.BufferLength = static_cast<ULONG>(atol(val.c_str()));
      } else if (kind == "type") {
        int type = atoi(val.c_str());  // stored as raw bits: it may be outside the enum's range
        memcpy(&c.DataChunkType, &type, sizeof(type));
      }
      out->push_back(c);
    }
  }

  static void close_all(std::vector<int>& fds) {
    for (int fd : fds)
      close(fd);
    fds.clear();
  }

  IHttpContext* ctx_ = nullptr;
  std::string id_;
  std::vector<Op> ops_;
  size_t pc_ = 0;
  std::string trace_;
  std::deque<std::string> store_;  // chunk memory, alive for the request
  int outstanding_ = 0;            // completions still to come
  bool waiting_ = false;
  bool logged_ = false;
  bool in_stream_ = false;
  long stream_issued_ = 0, stream_done_ = 0;
  bool stream_failed_ = false;
  std::string stream_failure_, stream_data_;
  HRESULT last_hr_ = S_OK;
};

class Factory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** m, IModuleAllocator*) override {
    *m = new (std::nothrow) Wec;
    return *m ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override {
    DeregisterEventSource(g_log);
    delete this;
  }
};

}  // namespace

HRESULT __stdcall RegisterModule(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer* server) {
  g_server = server;
  g_log = RegisterEventSourceA(nullptr, "wec");
  auto* f = new (std::nothrow) Factory;
  if (f == nullptr) return E_OUTOFMEMORY;
  return info->SetRequestNotifications(f, RQ_EXECUTE_REQUEST_HANDLER, 0);
}
