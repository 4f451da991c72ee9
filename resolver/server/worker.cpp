#include "resolver/server/worker.h"

#include "resolver/server/uv_util.h"

namespace tern::server {

Worker::Worker(WorkerSettings settings, std::shared_ptr<const LocalPolicy> policy, config::Log& log,
               const BackendFactory& backend, const HitCacheFactory& cache,
               std::shared_ptr<const Acl> acl)
    : settings_(std::move(settings)), log_(log) {
  uv_loop_init(&loop_);
  loop_.data = this;
  if (cache) cache_ = cache();
  backend_ = backend(&loop_);
  pipeline_ = std::make_unique<QueryPipeline>(settings_.pipeline, std::move(policy), *backend_, cache_.get(),
                                              stats_, log_);
  pipeline_->set_acl(std::move(acl));
  tcp_ = std::make_unique<TcpServer>(&loop_, settings_.tcp, *pipeline_, stats_, log_);

  async_ = new uv_async_t;
  uv_async_init(&loop_, async_, [](uv_async_t* a) { static_cast<Worker*>(a->data)->run_posted(); });
  async_->data = this;
  // Replies completed by the backend during one loop phase leave in one sendmmsg batch: the
  // check handle flushes what I/O callbacks queued (after poll), the prepare handle what timer
  // callbacks queued (before poll blocks), so no reply waits for the next wake-up.
  check_ = new uv_check_t;
  uv_check_init(&loop_, check_);
  check_->data = this;
  uv_check_start(check_, [](uv_check_t* c) { static_cast<Worker*>(c->data)->flush_udp(); });
  uv_unref(reinterpret_cast<uv_handle_t*>(check_));
  prepare_ = new uv_prepare_t;
  uv_prepare_init(&loop_, prepare_);
  prepare_->data = this;
  uv_prepare_start(prepare_, [](uv_prepare_t* p) { static_cast<Worker*>(p->data)->flush_udp(); });
  uv_unref(reinterpret_cast<uv_handle_t*>(prepare_));
}

Worker::~Worker() {
  if (thread_.joinable()) {
    request_stop();
    join();
  }
  if (!stopping_) {
    // Never started: tear down here, on the only thread that touched the loop.
    begin_stop();
    finish_stop();
    uv_run(&loop_, UV_RUN_DEFAULT);
  }
  uv_loop_close(&loop_);
}

void Worker::open() {
  for (const auto& addr : settings_.listen) {
    udp_.push_back(UdpListener::open(&loop_, addr, *pipeline_, stats_));
    tcp_->listen(addr);
  }
  for (const auto& addr : settings_.tls_listen) tcp_->listen(addr, StreamKind::Tls);
  for (const auto& addr : settings_.https_listen) tcp_->listen(addr, StreamKind::Tls, StreamService::Https);
}

void Worker::start() {
  for (auto& u : udp_) u->start();
  thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
}

void Worker::post(std::function<void(Worker&)> fn) {
  std::lock_guard lock(mu_);
  if (closed_) return;  // the loop is shutting down: nothing more will run on it
  posted_.push_back(std::move(fn));
  uv_async_send(async_);
}

void Worker::flush_udp() {
  for (auto& u : udp_) u->flush();
}

void Worker::run_posted() {
  std::vector<std::function<void(Worker&)>> fns;
  {
    std::lock_guard lock(mu_);
    fns.swap(posted_);
  }
  for (auto& fn : fns) fn(*this);
}

void Worker::request_stop() {
  post([](Worker& w) { w.begin_stop(); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::begin_stop() {
  if (stopping_) return;
  stopping_ = true;
  for (auto& u : udp_) u->stop_reading();
  tcp_->stop_accepting();
  stop_started_ms_ = uv_now(&loop_);
  stop_timer_ = new uv_timer_t;
  uv_timer_init(&loop_, stop_timer_);
  stop_timer_->data = this;
  // Poll until nothing is in flight or the grace period is over, then close everything.
  uv_timer_start(stop_timer_, [](uv_timer_t* t) {
    auto* w = static_cast<Worker*>(t->data);
    bool idle = w->backend_->in_flight() == 0 && !w->tcp_->busy();
    if (idle || uv_now(&w->loop_) - w->stop_started_ms_ >= w->settings_.shutdown_grace_ms)
      w->finish_stop();
  }, 0, 20);
}

void Worker::finish_stop() {
  if (stop_timer_) {
    close_and_delete(stop_timer_);
    stop_timer_ = nullptr;
  }
  for (auto& u : udp_) u->close();
  tcp_->close_all();
  // The backend goes first: its completions may still reference the pipeline; what it leaves
  // (the transport's handles) is closed by its destructor.
  backend_.reset();
  if (check_) {
    close_and_delete(check_);
    check_ = nullptr;
  }
  if (prepare_) {
    close_and_delete(prepare_);
    prepare_ = nullptr;
  }
  if (async_) {
    std::lock_guard lock(mu_);
    closed_ = true;
    close_and_delete(async_);
    async_ = nullptr;
  }
  // Anything else still open on this loop (there should be nothing) is closed too, so uv_run
  // returns and the loop can be closed.
  uv_walk(&loop_, [](uv_handle_t* h, void*) {
    if (!uv_is_closing(h)) uv_close(h, nullptr);
  }, nullptr);
}

}  // namespace tern::server
