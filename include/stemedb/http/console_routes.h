#pragma once
// GET /console/ and /console/{file}: the web console (docs/console.md), static files compiled
// into the binary (console_assets.h), served with a strict Content-Security-Policy: scripts,
// styles and requests from this origin only, no inline script, no framing. The console calls
// the same API as any client; under auth.mode = all it asks for a key and sends it only here.

#include "stemedb/http/router.h"

namespace stemedb::http {

void AddConsoleRoutes(Router& router);

}  // namespace stemedb::http
