package org.lethe.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PropertiesFileTest {

    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path file = dir.resolve("test.properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static Function<String, String> outside(Map<String, String> values) {
        return values::get;
    }

    @Test
    void missingFileReadsAsEmpty() throws LauncherException {
        assertTrue(PropertiesFile.read(dir.resolve("absent.properties"), name -> null).isEmpty());
    }

    @Test
    void plainValuesAreReadAsTheyAre() throws Exception {
        Map<String, String> props = PropertiesFile.read(write("a = 1\n# comment\nb: two words\n"), name -> null);
        assertEquals(Map.of("a", "1", "b", "two words"), props);
    }

    @Test
    void substitutesOutsideValuesAndOtherKeysOfTheFile() throws Exception {
        Path file = write("""
                base=${lethe.home}/native
                lib=${base}/lib
                deep=${lib}:${lib}
                mixed=[${user.name}] ${base}
                """);
        Map<String, String> props = PropertiesFile.read(file,
                outside(Map.of("lethe.home", "/opt/lethe", "user.name", "ada")));
        assertEquals("/opt/lethe/native", props.get("base"));
        assertEquals("/opt/lethe/native/lib", props.get("lib"));
        assertEquals("/opt/lethe/native/lib:/opt/lethe/native/lib", props.get("deep"));
        assertEquals("[ada] /opt/lethe/native", props.get("mixed"));
    }

    @Test
    void aKeyOfTheFileWinsOverAnOutsideValueOfTheSameName() throws Exception {
        Map<String, String> props = PropertiesFile.read(write("x=inside\ny=${x}\n"), outside(Map.of("x", "outside")));
        assertEquals("inside", props.get("y"));
    }

    @Test
    void replacementTextIsTakenLiterally() throws Exception {
        // $ and \ in a substituted value are not regex group references or escapes
        Map<String, String> props = PropertiesFile.read(write("p=${v}!\n"), outside(Map.of("v", "a$1\\b")));
        assertEquals("a$1\\b!", props.get("p"));
    }

    @Test
    void anUndefinedReferenceIsInvalidInputNamingFileKeyAndName() throws Exception {
        Path file = write("good=1\nbad=${lethe.nowhere}/x\n");
        LauncherException e = assertThrows(LauncherException.class, () -> PropertiesFile.read(file, name -> null));
        assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("key bad"), e.getMessage());
        assertTrue(e.getMessage().contains("${lethe.nowhere}"), e.getMessage());
        assertTrue(e.getMessage().contains("not defined"), e.getMessage());
    }

    @Test
    void aSelfReferenceMeansTheOutsideValue() throws Exception {
        // key=${key}:more extends the value defined outside the file (a system property), never loops
        Map<String, String> props = PropertiesFile.read(write("path=${path}:/extra\n"), outside(Map.of("path", "/usr")));
        assertEquals("/usr:/extra", props.get("path"));
    }

    @Test
    void aSelfReferenceWithoutAnOutsideValueIsAnErrorThatSaysSo() throws Exception {
        Path file = write("loop=${loop}/x\n");
        LauncherException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(LauncherException.class, () -> PropertiesFile.read(file, name -> null)));
        assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("key loop refers to itself"), e.getMessage());
    }

    @Test
    void aCycleThroughAnotherKeyIsAnErrorNotAHang() throws Exception {
        Path file = write("a=${b}\nb=${a}\n");
        LauncherException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(LauncherException.class, () -> PropertiesFile.read(file, name -> null)));
        assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("refers to itself"), e.getMessage());
    }

    @Test
    void aCycleThatDoesNotPassThroughTheKeyIsCaughtToo() throws Exception {
        Path file = write("start=${b}\nb=${c}\nc=${b}\n");
        LauncherException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(LauncherException.class, () -> PropertiesFile.read(file, name -> null)));
        assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        // whichever key is read first is the one named: start (a cycle below it) or b or c (itself)
        assertTrue(e.getMessage().contains("has references that form a cycle")
                || e.getMessage().contains("refers to itself"), e.getMessage());
    }

    @Test
    void theCycleBelowAKeyIsNamedAsACycle() throws Exception {
        LauncherException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                LauncherException.class, () -> PropertiesFile.substitute(dir, "start", "${b}",
                        name -> name.equals("b") ? "${c}" : name.equals("c") ? "${b}" : null)));
        assertTrue(e.getMessage().contains("key start has references that form a cycle"), e.getMessage());
    }

    @Test
    void aMalformedFileIsInvalidInputNamingTheFile() throws Exception {
        Path file = write("bad=\\uZZZZ\n");
        LauncherException e = assertThrows(LauncherException.class, () -> PropertiesFile.read(file, name -> null));
        assertEquals(ExitStatus.INVALID_INPUT, e.exitStatus());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    @Test
    void substituteLeavesTextWithoutReferencesAlone() throws Exception {
        assertEquals("no $refs {here}", PropertiesFile.substitute(dir, "k", "no $refs {here}", name -> null));
    }
}
