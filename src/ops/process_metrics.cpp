#include "stemedb/ops/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "stemedb/build_info.h"
#include "stemedb/ops/memory_limit.h"

namespace stemedb::ops {
namespace {

struct ProcStat {
  double cpu_seconds = 0;
  double start_time_seconds = 0;
  double virtual_bytes = 0;
  double resident_bytes = 0;
};

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double value = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> value;
      return value;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

ProcStat ReadProcStat(const std::string& path = "/proc/self/stat") {
  ProcStat out;
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  // The command name (field 2) may contain spaces and parentheses; fields resume after the
  // last ')'. Fields from there: 3 state ... 14 utime 15 stime ... 22 starttime 23 vsize 24 rss.
  auto close = line.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream fields(line.substr(close + 2));
  std::string f;
  std::vector<std::string> v;
  while (fields >> f) v.push_back(f);
  if (v.size() < 22) return out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  out.cpu_seconds = (std::stod(v[11]) + std::stod(v[12])) / ticks;  // utime + stime
  out.start_time_seconds = BootTimeSeconds() + std::stod(v[19]) / ticks;
  out.virtual_bytes = std::stod(v[20]);
  out.resident_bytes = std::stod(v[21]) * page;
  return out;
}

double OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  double n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor opendir itself holds
}

double MaxFds() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  return static_cast<double>(lim.rlim_cur);
}

}  // namespace

double ProcessCpuSeconds(int pid) { return ReadProcStat("/proc/" + std::to_string(pid) + "/stat").cpu_seconds; }

void RegisterProcessMetrics(Registry& registry) {
  registry.AddCollector([](ExpositionWriter& w) {
    ProcStat s = ReadProcStat();
    w.Header("process_cpu_seconds_total", MetricType::kCounter, "Total user and system CPU time spent in seconds.");
    w.Sample("process_cpu_seconds_total", s.cpu_seconds);
    w.Header("process_resident_memory_bytes", MetricType::kGauge, "Resident memory size in bytes.");
    w.Sample("process_resident_memory_bytes", s.resident_bytes);
    w.Header("process_virtual_memory_bytes", MetricType::kGauge, "Virtual memory size in bytes.");
    w.Sample("process_virtual_memory_bytes", s.virtual_bytes);
    w.Header("process_start_time_seconds", MetricType::kGauge, "Start time of the process since unix epoch in seconds.");
    w.Sample("process_start_time_seconds", s.start_time_seconds);
    w.Header("process_open_fds", MetricType::kGauge, "Number of open file descriptors.");
    w.Sample("process_open_fds", OpenFds());
    w.Header("process_max_fds", MetricType::kGauge, "Maximum number of open file descriptors.");
    w.Sample("process_max_fds", MaxFds());
    w.Header("stemedb_memory_limit_bytes", MetricType::kGauge,
             "Memory the process may use: its cgroup's memory.max (systemd MemoryMax=), else physical memory.");
    w.Sample("stemedb_memory_limit_bytes", MemoryLimitBytes());
  });
}

void RegisterBuildInfo(Registry& registry) {
  registry.GaugeFamily("stemedb_build_info", "Version and commit of the running binary; always 1.",
                       {"version", "commit"})
      .WithLabels({build::kVersion, build::kCommit})
      .Set(1);
}

}  // namespace stemedb::ops
