package org.lethe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The machine line every figure in BENCHMARKS.md carries. */
final class Machine {

    private Machine() {
    }

    /** 1-, 5- and 15-minute load averages from /proc/loadavg. */
    static String load() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "(unknown)";
        }
    }

    /** The 1-minute load average, or NaN. */
    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static String cpuModel() {
        try {
            String name = null;
            String family = null;
            String model = null;
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                String value = line.substring(line.indexOf(':') + 1).strip();
                if (name == null && line.startsWith("model name")) {
                    name = value;
                } else if (family == null && line.startsWith("cpu family")) {
                    family = value;
                } else if (model == null && line.matches("model\\s*:.*")) {
                    model = value;
                }
            }
            if (name != null) {
                return name + (family != null && model != null ? " (family " + family + " model " + model + ")" : "");
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "(unknown)";
    }

    /** {@code free -g}'s Mem line, labelled. */
    static String memory(Path workDir) {
        for (String line : Processes.output(workDir, "free", "-g").split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 7 && f[0].equals("Mem:")) {
                return "total " + f[1] + " GiB, used " + f[2] + ", free " + f[3] + ", buff/cache " + f[5]
                        + ", available " + f[6];
            }
        }
        return "(unknown)";
    }

    static String nproc(Path workDir) {
        // without the OpenMP variables: GNU nproc reports OMP_NUM_THREADS when it is set (as the benchmarks set it)
        String out = Processes.output(workDir, "env", "-u", "OMP_NUM_THREADS", "-u", "OMP_THREAD_LIMIT", "nproc");
        return out.isEmpty() ? String.valueOf(Runtime.getRuntime().availableProcessors()) : out;
    }

    /** The second line of {@code java -version} ("... Runtime Environment (build ...)"). */
    static String javaVersion(Path workDir, String java) {
        String[] lines = Processes.output(workDir, java, "-version").split("\n");
        return lines.length >= 2 ? lines[0].strip() + ", " + lines[1].strip() : String.join(" ", lines);
    }

    static String commit(Path root) {
        String head = Processes.output(root, "git", "rev-parse", "--short", "HEAD");
        if (head.isEmpty() || head.contains(" ")) {
            return "(not a git checkout)";
        }
        String dirty = Processes.output(root, "git", "status", "--porcelain", "--untracked-files=no");
        return head + (dirty.isEmpty() ? "" : " with uncommitted changes");
    }
}
