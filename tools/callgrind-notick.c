// Measurement aid for callgrind (docs/performance.md): preloaded, it makes timer_settime arm
// nothing, so the sandbox's fast mode never sees a timer tick and never replays a call. Under
// valgrind calls run ~50x slower and nearly every one would be replayed in deterministic mode,
// which would make instruction counts depend on timing. Not for production use.
//   gcc -shared -fPIC -O2 -o /tmp/notick.so tools/callgrind-notick.c
#include <time.h>

int timer_settime(timer_t timer, int flags, const struct itimerspec* value,
                  struct itimerspec* old) {
  (void)timer;
  (void)flags;
  (void)value;
  if (old) {
    struct itimerspec none = {0};
    *old = none;
  }
  return 0;
}
