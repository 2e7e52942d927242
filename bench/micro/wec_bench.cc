// IHttpResponse::WriteEntityChunks, synchronous, driven through the real IIS layer (IisHandler →
// HttpContextImpl → the response engine → http::Exchange::send) and ending in real syscalls
// (writev/sendfile into a socketpair drained by another thread; bench_support.h), beside a bare
// writev/sendfile of the same bytes into the same sink.
//
// Every iteration runs three things and times each with the thread's CPU clock:
//   wec    one request whose handler makes `calls` WriteEntityChunks calls of `chunks` chunks each;
//   empty  the same request with no WriteEntityChunks call (context, pipeline walk, final send):
//          the per-request cost that is not the writes';
//   bare   the syscalls the server makes for those bytes anyway: unbuffered, one writev per call
//          (its chunks as iovecs; sendfile per file chunk); buffered, one writev of everything at
//          the end of the request (sendfile per file chunk).
// Counters: ovh/chunk = (wec − empty − bare) / (calls × chunks), ovh/call the same per call;
// bare and empty per request. The target is ovh/chunk ≤ 50 ns.
#include <benchmark/benchmark.h>
#include <httpserv.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.h"
#include "iis/http_server_impl.h"
#include "iis/iis_handler.h"
#include "iis/module_registry.h"

namespace hs::bench {
namespace {

enum class ChunkKind {
  kMemory,  // HttpDataChunkFromMemory
  kFile,    // HttpDataChunkFromFileHandle (a page-cached temp file)
  // HttpDataChunkFromFragmentCacheEx: byte ranges of one cached fragment; the bare baseline
  // writes the same bytes from memory.
  kFragment,
};

const char* kind_name(ChunkKind k) {
  return k == ChunkKind::kMemory ? "memory" : k == ChunkKind::kFile ? "file" : "fragment";
}

constexpr size_t kFragmentSize = 64 * 1024;
const wchar_t kFragmentName[] = L"/bench/fragment";
// The fragment's bytes as the baseline sees them (the cache holds its own copy).
const std::string& fragment_bytes() {
  static const std::string bytes(kFragmentSize, 'g');
  return bytes;
}

// A temp file the file chunks point into: page cache, unlinked at once.
class TempFile {
 public:
  explicit TempFile(size_t size) {
    const char* dir = getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): before any thread
    std::string path = std::string(dir ? dir : "/tmp") + "/wecXXXXXX";
    fd_ = mkstemp(path.data());
    if (fd_ < 0) {
      perror("wec bench: mkstemp");
      std::abort();
    }
    unlink(path.c_str());
    std::string block(size, 'f');
    if (write(fd_, block.data(), block.size()) != static_cast<ssize_t>(block.size())) {
      perror("wec bench: write");
      std::abort();
    }
  }
  ~TempFile() { close(fd_); }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

constexpr size_t kFileSize = 1 << 20;

// The chunks of one request, as the module passes them (HTTP_DATA_CHUNK) and as the bare
// baseline writes them (BodyChunk), pointing at the same bytes.
struct ChunkSet {
  ChunkSet(ChunkKind kind, int calls, int per_call, uint32_t size, int file_fd)
      : calls(calls), per_call(per_call) {
    static std::vector<char> memory(1 << 20, 'm');
    const int n = calls * per_call;
    http_chunks.resize(static_cast<size_t>(n));
    body_chunks.resize(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      size_t off = (static_cast<size_t>(i) * size) % (kFileSize - size + 1);
      HTTP_DATA_CHUNK& h = http_chunks[static_cast<size_t>(i)];
      switch (kind) {
        case ChunkKind::kMemory:
          h.DataChunkType = HttpDataChunkFromMemory;
          h.FromMemory.pBuffer = memory.data() + off;
          h.FromMemory.BufferLength = size;
          body_chunks[static_cast<size_t>(i)] = http::BodyChunk::memory(memory.data() + off, size);
          break;
        case ChunkKind::kFile:
          h.DataChunkType = HttpDataChunkFromFileHandle;
          // The module ABI carries descriptors in HANDLEs (docs/iis-compat.md).
          // NOLINTNEXTLINE(performance-no-int-to-ptr)
          h.FromFileHandle.FileHandle = reinterpret_cast<HANDLE>(static_cast<intptr_t>(file_fd));
          h.FromFileHandle.ByteRange.StartingOffset.QuadPart = off;
          h.FromFileHandle.ByteRange.Length.QuadPart = size;
          body_chunks[static_cast<size_t>(i)] = http::BodyChunk::file(file_fd, off, size);
          break;
        case ChunkKind::kFragment: {
          size_t foff = (static_cast<size_t>(i) * size) % (kFragmentSize - size + 1);
          h.DataChunkType = HttpDataChunkFromFragmentCacheEx;
          h.FromFragmentCacheEx.pFragmentName = kFragmentName;
          h.FromFragmentCacheEx.ByteRange.StartingOffset.QuadPart = foff;
          h.FromFragmentCacheEx.ByteRange.Length.QuadPart = size;
          body_chunks[static_cast<size_t>(i)] =
              http::BodyChunk::memory(fragment_bytes().data() + foff, size);
          break;
        }
      }
    }
    bytes = static_cast<uint64_t>(n) * size;
  }
  int calls, per_call;
  uint64_t bytes = 0;
  std::vector<HTTP_DATA_CHUNK> http_chunks;
  std::vector<http::BodyChunk> body_chunks;
};

// What the module does in the request being run (the module has no other way to get it).
struct Plan {
  ChunkSet* chunks = nullptr;
  int calls = 0;  // 0: the "empty" request
  bool buffered = true;
  int failures = 0;
};
Plan* g_plan = nullptr;

class WecModule final : public CHttpModule {
 public:
  REQUEST_NOTIFICATION_STATUS OnExecuteRequestHandler(IHttpContext* ctx,
                                                      IHttpEventProvider*) override {
    Plan& p = *g_plan;
    IHttpResponse* r = ctx->GetResponse();
    if (!p.buffered) r->DisableBuffering();
    for (int c = 0; c < p.calls; ++c) {
      DWORD sent = 0;
      HTTP_DATA_CHUNK* first =
          p.chunks->http_chunks.data() + static_cast<ptrdiff_t>(c) * p.chunks->per_call;
      HRESULT hr =
          r->WriteEntityChunks(first, static_cast<DWORD>(p.chunks->per_call), FALSE, TRUE, &sent);
      if (FAILED(hr)) {
        ++p.failures;
        break;
      }
    }
    return RQ_NOTIFICATION_CONTINUE;
  }
};

class WecFactory final : public IHttpModuleFactory {
 public:
  HRESULT GetHttpModule(CHttpModule** module, IModuleAllocator*) override {
    *module = new (std::nothrow) WecModule;
    return *module ? S_OK : E_OUTOFMEMORY;
  }
  VOID Terminate() override {}
};

HRESULT register_wec(DWORD, IHttpModuleRegistrationInfo* info, IHttpServer*) {
  static WecFactory factory;
  return info->SetRequestNotifications(&factory, RQ_EXECUTE_REQUEST_HANDLER, 0);
}

// The IIS stack the requests run through: one built-in module mapped to every URL.
struct Stack {
  Stack() {
    std::string error;
    if (!registry.add_builtin("WecModule", register_wec, &server, &error)) {
      (void)std::fprintf(stderr, "wec bench: %s\n", error.c_str());
      std::abort();
    }
    registry.freeze();
    iis::HandlerMapping all;
    all.name = "WecHandler";
    all.path = "*";
    all.modules = {"WecModule"};
    handler = std::make_unique<iis::IisHandler>(registry, server,
                                                std::vector<iis::HandlerMapping>{all}, nullptr);
    handler->set_fragment_cache(&server.fragment_cache());
    HTTP_DATA_CHUNK fragment{};
    fragment.DataChunkType = HttpDataChunkFromMemory;
    fragment.FromMemory.pBuffer = const_cast<char*>(fragment_bytes().data());
    fragment.FromMemory.BufferLength = static_cast<ULONG>(kFragmentSize);
    if (FAILED(server.AddFragmentToCache(&fragment, kFragmentName))) {
      (void)std::fprintf(stderr, "wec bench: AddFragmentToCache failed\n");
      std::abort();
    }
  }
  iis::HttpServerImpl server;
  iis::ModuleRegistry registry;
  std::unique_ptr<iis::IisHandler> handler;
};

struct Env {
  Stack stack;
  InlineExecutor exec;
  Sink sink;
  TempFile file{kFileSize};
  int64_t clock_cost = thread_cpu_clock_cost_ns();
};

Env& env() {
  static Env* e = new Env;  // never destroyed: lives as long as the benchmarks
  return *e;
}

// Runs one request to its end; false if it did not send exactly `expect_bytes`.
bool run_request(Env& e, Plan& plan, uint64_t expect_bytes) {
  g_plan = &plan;
  SinkExchange ex(e.exec, e.sink, "/wec");
  e.stack.handler->handle(ex);
  e.exec.run_all();
  return ex.finished() && ex.body_bytes() == expect_bytes && plan.failures == 0;
}

void bare_write(Env& e, ChunkSet& set, bool buffered) {
  std::span<const http::BodyChunk> all(set.body_chunks);
  if (buffered) {
    e.sink.write_chunks(all);
    return;
  }
  for (int c = 0; c < set.calls; ++c)
    e.sink.write_chunks(all.subspan(static_cast<size_t>(c) * static_cast<size_t>(set.per_call),
                                    static_cast<size_t>(set.per_call)));
}

void bm_write_entity_chunks(benchmark::State& state, ChunkKind kind, bool buffered) {
  Env& e = env();
  const int calls = static_cast<int>(state.range(0));
  const int per_call = static_cast<int>(state.range(1));
  const auto size = static_cast<uint32_t>(state.range(2));
  ChunkSet set(kind, calls, per_call, size, e.file.fd());
  Plan wec{&set, calls, buffered};
  Plan empty{&set, 0, buffered};
  int64_t wec_ns = 0, empty_ns = 0, bare_ns = 0;
  for (auto _ : state) {
    int64_t t0 = thread_cpu_ns();
    bool ok = run_request(e, wec, set.bytes);
    int64_t t1 = thread_cpu_ns();
    ok = run_request(e, empty, 0) && ok;
    int64_t t2 = thread_cpu_ns();
    bare_write(e, set, buffered);
    int64_t t3 = thread_cpu_ns();
    if (!ok) {
      state.SkipWithError("a request did not send the expected body (see the IIS log)");
      break;
    }
    wec_ns += t1 - t0 - e.clock_cost;
    empty_ns += t2 - t1 - e.clock_cost;
    bare_ns += t3 - t2 - e.clock_cost;
    state.SetIterationTime(static_cast<double>(t1 - t0 - e.clock_cost) * 1e-9);
  }
  const double it = static_cast<double>(state.iterations());
  if (it == 0) return;
  const double chunks = static_cast<double>(calls) * per_call;
  const double overhead = static_cast<double>(wec_ns - empty_ns - bare_ns) / it;
  state.counters["bare_ns"] = static_cast<double>(bare_ns) / it;
  state.counters["empty_req_ns"] = static_cast<double>(empty_ns) / it;
  state.counters["ovh/call_ns"] = overhead / calls;
  state.counters["ovh/chunk_ns"] = overhead / chunks;
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(set.bytes));
}

// {calls, chunks per call, bytes per chunk}
void register_all() {
  struct Shape {
    int calls, per_call, size;
  };
  const std::vector<Shape> memory_shapes = {{1, 1, 64},  {1, 16, 64},  {16, 1, 64},
                                            {64, 1, 64}, {16, 16, 64}, {16, 1, 4096}};
  const std::vector<Shape> file_shapes = {
      {1, 1, 4096}, {1, 16, 4096}, {16, 1, 4096}, {16, 16, 4096}};
  for (ChunkKind kind : {ChunkKind::kMemory, ChunkKind::kFile, ChunkKind::kFragment}) {
    for (bool buffered : {true, false}) {
      std::string name =
          std::string("WEC/") + kind_name(kind) + (buffered ? "/buffered" : "/unbuffered");
      auto* b = benchmark::RegisterBenchmark(name.c_str(), bm_write_entity_chunks, kind, buffered);
      b->ArgNames({"calls", "chunks", "size"})->UseManualTime()->Unit(benchmark::kMicrosecond);
      for (const Shape& s : kind == ChunkKind::kFile ? file_shapes : memory_shapes)
        b->Args({s.calls, s.per_call, s.size});
    }
  }
}

[[maybe_unused]] const bool registered = (register_all(), true);

}  // namespace
}  // namespace hs::bench
