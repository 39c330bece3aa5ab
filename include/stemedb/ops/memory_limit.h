#pragma once
// How much memory this process may use, for stemedb_memory_limit_bytes (the MemoryExhaustion
// alert divides process_resident_memory_bytes by it): the tightest cgroup v2 memory.max on the
// path from the process's cgroup up to the root (systemd's MemoryMax= on the unit or its slice),
// else the host's physical memory.

#include <optional>
#include <string>

namespace stemedb::ops {

// The tightest memory.max under `cgroup_root` (normally /sys/fs/cgroup) along the cgroup named
// in `proc_self_cgroup` (the text of /proc/self/cgroup, v2 line "0::/path"). nullopt when no
// level sets a limit ("max" everywhere) or the files are not there (cgroup v1, no cgroupfs).
std::optional<double> CgroupMemoryMaxBytes(const std::string& proc_self_cgroup, const std::string& cgroup_root);

// Physical memory of the host (sysconf), 0 if unknown.
double PhysicalMemoryBytes();

// CgroupMemoryMaxBytes of this process, else PhysicalMemoryBytes.
double MemoryLimitBytes();

}  // namespace stemedb::ops
