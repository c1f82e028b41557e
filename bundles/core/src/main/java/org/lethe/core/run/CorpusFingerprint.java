package org.lethe.core.run;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.lethe.api.LetheException;

/** The fingerprint of a corpus folder: SHA-256 over its regular files' relative names and bytes, in name order. */
final class CorpusFingerprint {

    private CorpusFingerprint() {
    }

    static String of(Path folder) {
        Hasher hasher = Hashing.sha256().newHasher();
        try (Stream<Path> walk = Files.walk(folder)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            for (Path file : files) {
                hasher.putUnencodedChars(folder.relativize(file).toString().replace(java.io.File.separatorChar, '/')).putByte((byte) 0);
                hasher.putBytes(Files.readAllBytes(file)).putByte((byte) 0);
            }
        } catch (IOException e) {
            throw LetheException.invalidInput(folder + ": cannot read the corpus (" + e.getMessage() + ")");
        }
        return hasher.hash().toString();
    }
}
