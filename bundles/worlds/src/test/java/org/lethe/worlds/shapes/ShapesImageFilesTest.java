package org.lethe.worlds.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lethe.api.LetheException;

/** A user's concept image set and the image files: good input reads, bad input is refused naming the file. */
class ShapesImageFilesTest {

    private static final List<ShapesImage> IMAGES = List.of(
            ShapesGenerator.render("a", 1, "red", "circle", "plain", Optional.empty()),
            ShapesGenerator.render("b", 2, "red", "square", "stripes", Optional.of("big")),
            ShapesGenerator.render("c", 3, "red", "cross", "dots", Optional.empty()));

    @Test
    void aFolderOfPngFilesReads(@TempDir Path dir) throws Exception {
        for (int i = 0; i < IMAGES.size(); i++) {
            Files.write(dir.resolve("img" + i + ".png"), ShapesImageFiles.png(IMAGES.get(i).pixels()));
        }
        Files.writeString(dir.resolve(".DS_Store"), "hidden files are skipped");
        ShapesImageFiles.ImageSet set = ShapesImageFiles.readConceptImages(dir);
        assertEquals(List.of("img0.png", "img1.png", "img2.png"), set.names());
        for (int i = 0; i < IMAGES.size(); i++) {
            float[] want = IMAGES.get(i).pixels();
            float[] got = set.pixels().get(i);
            for (int p = 0; p < want.length; p++) {
                assertEquals(want[p], got[p], 0.5f / 255 + 1e-6f, "8-bit rounding only");
            }
        }
    }

    @Test
    void aPngOfTheWrongSizeIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        good(dir, "a.png");
        write(dir.resolve("b.png"), new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB));
        LetheException e = refused(dir);
        assertTrue(e.getMessage().startsWith(dir.resolve("b.png") + ": image is 32×32 pixels, expected 16×16"), e.getMessage());
        Files.delete(dir.resolve("b.png"));
        write(dir.resolve("c.png"), new BufferedImage(16, 15, BufferedImage.TYPE_INT_RGB));
        e = refused(dir);
        assertTrue(e.getMessage().contains("c.png: image is 16×15"), e.getMessage());
    }

    @Test
    void aPngWithTheWrongChannelCountIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path grey = dir.resolve("grey");
        Files.createDirectory(grey);
        write(grey.resolve("g.png"), new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY));
        LetheException e = refused(grey);
        assertTrue(e.getMessage().startsWith(grey.resolve("g.png") + ": 1 channel (grey), expected 3"), e.getMessage());
        Path alpha = dir.resolve("alpha");
        Files.createDirectory(alpha);
        write(alpha.resolve("x.png"), new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB));
        e = refused(alpha);
        assertTrue(e.getMessage().startsWith(alpha.resolve("x.png") + ": 4 channels (RGB with alpha), expected 3"),
                e.getMessage());
    }

    @Test
    void otherFilesAndEmptyFoldersAreRefused(@TempDir Path dir) throws Exception {
        LetheException e = refused(dir);
        assertTrue(e.getMessage().startsWith(dir + ": no images"), e.getMessage());
        good(dir, "a.png");
        Files.writeString(dir.resolve("notes.txt"), "hello");
        e = refused(dir);
        assertTrue(e.getMessage().startsWith(dir.resolve("notes.txt") + ": not a .png file"), e.getMessage());
        Files.delete(dir.resolve("notes.txt"));
        Files.write(dir.resolve("z.png"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        e = refused(dir);
        assertTrue(e.getMessage().startsWith(dir.resolve("z.png") + ": not a PNG image"), e.getMessage());
        Files.delete(dir.resolve("z.png"));
        byte[] png = ShapesImageFiles.png(IMAGES.get(0).pixels());
        Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        e = refused(dir);
        assertTrue(e.getMessage().startsWith(dir.resolve("cut.png") + ": not a readable PNG image"), e.getMessage());
        e = assertThrows(LetheException.class, () -> ShapesImageFiles.readConceptImages(dir.resolve("nope")));
        assertTrue(e.getMessage().startsWith(dir.resolve("nope") + ": no such file"), e.getMessage());
        Path txt = dir.resolve("set.txt");
        Files.writeString(txt, "x");
        e = assertThrows(LetheException.class, () -> ShapesImageFiles.readConceptImages(txt));
        assertTrue(e.getMessage().startsWith(txt + ": expected a folder of 16×16 RGB PNG files"), e.getMessage());
    }

    @Test
    void anF32SetReadsBackBitForBit(@TempDir Path dir) throws Exception {
        Path header = f32(dir, IMAGES);
        ShapesImageFiles.ImageSet set = ShapesImageFiles.readConceptImages(header);
        assertEquals(3, set.size());
        assertEquals("set.f32[2]", set.names().get(2));
        for (int i = 0; i < 3; i++) {
            assertTrue(Arrays.equals(IMAGES.get(i).pixels(), set.pixels().get(i)));
        }
    }

    @Test
    void aTruncatedOrOverlongDataFileIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        Path header = f32(dir, IMAGES);
        Path data = dir.resolve("set.f32");
        byte[] bytes = Files.readAllBytes(data);
        Files.write(data, Arrays.copyOf(bytes, bytes.length - 1));
        LetheException e = refused(header);
        assertTrue(e.getMessage().startsWith(data + ": truncated: 9215 bytes, expected 9216"), e.getMessage());
        Files.write(data, Arrays.copyOf(bytes, bytes.length + 4));
        e = refused(header);
        assertTrue(e.getMessage().startsWith(data + ": too long: 9220 bytes, expected 9216"), e.getMessage());
        Files.delete(data);
        e = refused(header);
        assertTrue(e.getMessage().startsWith(data + ": no such file (named by " + header), e.getMessage());
    }

    @Test
    void aHeaderWithTheWrongShapeIsRefusedNamingTheField(@TempDir Path dir) throws Exception {
        Path header = f32(dir, IMAGES);
        String good = Files.readString(header);
        Files.writeString(header, good.replace("[3,3,16,16]", "[3,4,16,16]"));
        LetheException e = refused(header);
        assertTrue(e.getMessage().startsWith(header + ": field 'shape': 4 channels, expected 3"), e.getMessage());
        Files.writeString(header, good.replace("[3,3,16,16]", "[3,3,32,32]"));
        e = refused(header);
        assertTrue(e.getMessage().startsWith(header + ": field 'shape': images are 32×32, expected 16×16"), e.getMessage());
        Files.writeString(header, good.replace("\"float32\"", "\"float64\""));
        e = refused(header);
        assertTrue(e.getMessage().startsWith(header + ": field 'dtype': expected \"float32\""), e.getMessage());
        Files.writeString(header, good.replace("\"set.f32\"", "\"../set.f32\""));
        e = refused(header);
        assertTrue(e.getMessage().startsWith(header + ": field 'data': must be a plain .f32 file name"), e.getMessage());
        Files.writeString(header, good.replace("\"sha256\":\"", "\"sha256\":\"0").replaceFirst("\"sha256\":\"(\\w{64})\\w\"",
                "\"sha256\":\"$1\""));
        e = refused(header);
        assertTrue(e.getMessage().contains("set.f32: SHA-256 is "), e.getMessage());
        Files.writeString(header, "{\"format\": ");
        e = refused(header);
        assertTrue(e.getMessage().startsWith(header + ": not valid JSON"), e.getMessage());
    }

    @Test
    void aValueOutsideTheRangeIsRefusedNamingTheImage(@TempDir Path dir) throws Exception {
        Path header = f32(dir, IMAGES);
        Path data = dir.resolve("set.f32");
        byte[] bytes = Files.readAllBytes(data);
        int at = (ShapesLexicon.PIXELS + 256 + 16 * 2 + 5) * 4; // image 1, channel 1, row 2, column 5
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(at, Float.NaN);
        Files.write(data, bytes);
        String text = Files.readString(header).replaceAll(",\"sha256\":\"\\w+\"", "");
        Files.writeString(header, text);
        LetheException e = refused(header);
        assertTrue(e.getMessage().startsWith(data + ": image 1 (channel 1, row 2, column 5): value NaN is not in [0, 1]"),
                e.getMessage());
    }

    private static Path f32(Path dir, List<ShapesImage> images) throws Exception {
        byte[] data = ShapesImageFiles.f32(images);
        Files.write(dir.resolve("set.f32"), data);
        Path header = dir.resolve("set.json");
        Files.write(header, ShapesImageFiles.header("set.f32", images.size(), data));
        assertTrue(new String(Files.readAllBytes(header), StandardCharsets.UTF_8).contains("[3,3,16,16]"));
        return header;
    }

    private static void good(Path dir, String name) throws Exception {
        Files.write(dir.resolve(name), ShapesImageFiles.png(IMAGES.get(0).pixels()));
    }

    private static void write(Path file, BufferedImage image) throws Exception {
        assertTrue(ImageIO.write(image, "png", file.toFile()));
    }

    private static LetheException refused(Path path) {
        LetheException e = assertThrows(LetheException.class, () -> ShapesImageFiles.readConceptImages(path));
        assertEquals(LetheException.INVALID_INPUT, e.exitStatus());
        return e;
    }
}
