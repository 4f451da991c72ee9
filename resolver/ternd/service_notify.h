// Tells the service manager what ternd is doing (sd_notify(3), libsystemd). Without a manager
// (NOTIFY_SOCKET unset: a terminal, a container, the tests) every call does nothing.
#pragma once

namespace tern::ternd {

void notify_ready();      // after every socket is bound: Type=notify units count as started
void notify_reloading();  // SIGHUP received; notify_ready() again when the reload is done
void notify_stopping();   // SIGTERM/SIGINT received

}  // namespace tern::ternd
