#include "stemedb/ops/memory_limit.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace stemedb::ops {
namespace {

// The v2 entry of /proc/self/cgroup: "0::/system.slice/stemedb-api.service" -> that path.
std::optional<std::string> UnifiedCgroupPath(const std::string& proc_self_cgroup) {
  std::istringstream lines(proc_self_cgroup);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return std::nullopt;
}

// memory.max of one cgroup directory: a number of bytes, or nullopt for "max" or no file.
std::optional<double> ReadMemoryMax(const std::string& dir) {
  std::ifstream in(dir + "/memory.max");
  std::string value;
  if (!(in >> value) || value == "max") return std::nullopt;
  try {
    return std::stod(value);
  } catch (const std::exception&) {
    return std::nullopt;  // not a number: treat the level as unlimited rather than guess
  }
}

}  // namespace

std::optional<double> CgroupMemoryMaxBytes(const std::string& proc_self_cgroup, const std::string& cgroup_root) {
  auto path = UnifiedCgroupPath(proc_self_cgroup);
  if (!path) return std::nullopt;
  std::optional<double> tightest;
  // From the process's own cgroup up to (not including) the root, which has no memory.max.
  std::string p = *path;
  while (!p.empty() && p != "/") {
    if (auto limit = ReadMemoryMax(cgroup_root + p)) tightest = tightest ? std::min(*tightest, *limit) : *limit;
    p = p.substr(0, p.rfind('/'));
  }
  return tightest;
}

double PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_bytes = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page_bytes <= 0) return 0;
  return static_cast<double>(pages) * static_cast<double>(page_bytes);
}

double MemoryLimitBytes() {
  std::ifstream in("/proc/self/cgroup");
  std::stringstream text;
  text << in.rdbuf();
  if (auto limit = CgroupMemoryMaxBytes(text.str(), "/sys/fs/cgroup")) return *limit;
  return PhysicalMemoryBytes();
}

}  // namespace stemedb::ops
