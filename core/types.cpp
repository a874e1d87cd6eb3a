#include "core/types.h"

namespace edgecache {

const char* status_name(Status status) {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::not_found:
      return "not_found";
    case Status::unavailable:
      return "unavailable";
  }
  // A value outside the enum can only come from a cast in our own code; decoders reject such bytes, so say
  // so in the output instead of crashing a trace writer.
  return "invalid_status";
}

}  // namespace edgecache
