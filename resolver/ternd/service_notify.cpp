#include "resolver/ternd/service_notify.h"

#include <systemd/sd-daemon.h>

namespace tern::ternd {

// unset_environment = 0: the variable stays for the next notification.
void notify_ready() { sd_notify(0, "READY=1\nSTATUS=serving"); }
void notify_reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration"); }
void notify_stopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }

}  // namespace tern::ternd
