package org.lethe.djl.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks a folder of pre-extracted PyTorch native libraries before DJL is touched, so that a missing
 * library gives a message that names the platform and what to add, instead of DJL's attempt to
 * download it.
 */
final class NativeLibraries {

    private final String djlVersion;
    private final String pytorchVersion;

    NativeLibraries(String djlVersion, String pytorchVersion) {
        this.djlVersion = djlVersion;
        this.pytorchVersion = pytorchVersion;
    }

    /** The platform as DJL's native classifiers name it, e.g. {@code linux-x86_64}. */
    static String platform(String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        String osPart = os.startsWith("linux") ? "linux"
                : os.startsWith("mac") || os.startsWith("darwin") ? "osx"
                : os.startsWith("windows") ? "win" : os.replace(' ', '_');
        String archPart = switch (arch) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return osPart + "-" + archPart;
    }

    /** File names libtorch needs on this platform, the DJL JNI bridge last. */
    List<String> requiredFiles(String platform) {
        List<String> names = new ArrayList<>();
        for (String lib : new String[] {"c10", "torch_cpu", "torch"}) {
            names.add(libraryFileName(platform, lib));
        }
        names.add(djlVersion + "-" + libraryFileName(platform, "djl_torch"));
        return names;
    }

    private static String libraryFileName(String platform, String lib) {
        if (platform.startsWith("osx")) {
            return "lib" + lib + ".dylib";
        }
        if (platform.startsWith("win")) {
            return lib + ".dll";
        }
        return "lib" + lib + ".so";
    }

    /**
     * @return null when the folder holds every required library, else one sentence naming the
     *     platform, the folder, the missing files and what to add
     */
    String problem(String platform, Path folder) {
        if (folder == null) {
            return "PyTorch native libraries for " + platform + " are not configured: set "
                    + "PYTORCH_LIBRARY_PATH (bin/lethe sets it to <lethe home>/native/pytorch/"
                    + pytorchVersion + "-cpu-" + platform + ") to a folder with libtorch " + pytorchVersion
                    + " for " + platform + ".";
        }
        List<String> missing = new ArrayList<>();
        for (String name : requiredFiles(platform)) {
            if (!Files.isRegularFile(folder.resolve(name))) {
                missing.add(name);
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        String bridge = djlVersion + "-" + libraryFileName(platform, "djl_torch");
        String extra = missing.contains(bridge)
                ? " (the JNI bridge " + bridge + " is jnilib/" + platform + "/cpu/"
                        + libraryFileName(platform, "djl_torch") + " from ai.djl.pytorch:pytorch-jni:"
                        + pytorchVersion + "-" + djlVersion + ", renamed)"
                : "";
        return "PyTorch native library for " + platform + " not found in " + folder + ": missing "
                + String.join(", ", missing) + ". Add libtorch " + pytorchVersion + " (cpu) for " + platform
                + " there (from ai.djl.pytorch:pytorch-native-cpu:" + pytorchVersion + ":" + platform
                + ", folder pytorch/cpu/" + platform + "/)" + extra + ", or point PYTORCH_LIBRARY_PATH at a folder"
                + " that has them.";
    }
}
