// Two tcpdumps as a CapturePair: started side by side, stopped side by side,
// their files fetched by the case and removed afterwards.
#include "capture_pair.hpp"
#include "concurrently.hpp"
#include "remote_capture.hpp"

namespace weaver::orchestrator {
namespace {

namespace asio = remote::asio;
constexpr std::chrono::seconds kControlTimeout{10};
// tcpdump (no immediate mode) hands packets over a ring block at a time, and
// a partial block retires within two of libpcap's 1 s block timeouts (the
// timeout tcpdump sets); SIGINT ends tcpdump without reading an unretired
// block, so the drain must outlast that.
constexpr std::chrono::milliseconds kLastBlockDrain{2100};

// Single steps as coroutines of their own, so concurrently() runs them side by side.
asio::awaitable<void> start_one(std::unique_ptr<RemoteCapture>& capture, remote::Executor& host,
                                std::string interface, std::string file, std::string filter,
                                std::chrono::seconds limit, bool as_root) {
  capture = co_await RemoteCapture::start(host, std::move(interface), std::move(file), std::move(filter),
                                          limit, as_root);
}

asio::awaitable<void> stop_one(RemoteCapture& capture, CaptureStats& stats) { stats = co_await capture.stop(); }

class TcpdumpCaptures final : public CapturePair {
 public:
  TcpdumpCaptures(asio::io_context& io, remote::Executor& host) : io_(io), host_(host) {}

  asio::awaitable<void> start(std::string pif, std::string vif, std::string filter, const std::string& stem,
                              std::chrono::seconds limit, bool as_root) {
    std::vector<asio::awaitable<void>> starts;
    starts.push_back(start_one(pif_, host_, std::move(pif), stem + "-pif.pcap", filter, limit, as_root));
    starts.push_back(start_one(vif_, host_, std::move(vif), stem + "-vif.pcap", filter, limit, as_root));
    co_await concurrently(io_, std::move(starts));
  }

  std::chrono::milliseconds drain(std::chrono::milliseconds asked) const override {
    return std::max(asked, kLastBlockDrain);
  }

  asio::awaitable<FinishedCaptures> finish(bool, capture::KeyKind, bool) override {
    FinishedCaptures finished;
    std::vector<asio::awaitable<void>> stops;
    stops.push_back(stop_one(*pif_, finished.pif));
    stops.push_back(stop_one(*vif_, finished.vif));
    co_await concurrently(io_, std::move(stops));
    finished.pif_file = pif_->file();
    finished.vif_file = vif_->file();
    co_return finished;
  }

  asio::awaitable<void> remove_files() override {
    std::vector<std::string> remove{"rm", "-f", "--"};
    for (const auto* capture : {pif_.get(), vif_.get()}) {
      if (capture != nullptr) remove.push_back(capture->file());
    }
    if (remove.size() > 3) co_await host_.capture(std::move(remove), kControlTimeout);
  }

  asio::awaitable<void> abort() noexcept override {
    if (pif_) co_await pif_->abort();
    if (vif_) co_await vif_->abort();
    try {
      co_await remove_files();
    } catch (...) {
      // The run's temp dir goes when the session closes.
    }
  }

 private:
  asio::io_context& io_;
  remote::Executor& host_;
  std::unique_ptr<RemoteCapture> pif_, vif_;
};

}  // namespace

asio::awaitable<std::unique_ptr<CapturePair>> start_tcpdump_captures(asio::io_context& io, remote::Executor& host,
                                                                     std::string pif, std::string vif,
                                                                     std::string filter, std::string stem,
                                                                     std::chrono::seconds limit, bool as_root) {
  auto captures = std::make_unique<TcpdumpCaptures>(io, host);
  std::exception_ptr failure;
  try {
    co_await captures->start(std::move(pif), std::move(vif), std::move(filter), stem, limit, as_root);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await captures->abort();  // the one that started must not run on
    std::rethrow_exception(failure);
  }
  co_return captures;
}

}  // namespace weaver::orchestrator
