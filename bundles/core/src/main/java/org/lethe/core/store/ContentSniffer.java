package org.lethe.core.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.lethe.api.LetheException;

/**
 * Classifies a model file by its first bytes, never by its name, and decides whether the store may
 * accept it (DESIGN §4 and research/scale-reliability.md §2.5: pickle is code and never loaded;
 * TorchScript is code and loaded only when the user vouches for it).
 *
 * <p>Recognised formats, in the order they are tested:
 * <ol>
 *   <li>{@link Format#PICKLE}: a binary pickle ({@code 0x80}, protocol 2 to 5); also (found by the text
 *       check below) text that starts with one of the opcodes <code>( c ] &#125;</code> and ends with the STOP
 *       opcode {@code .} without a final newline, as a protocol 0 pickle does (a heuristic);
 *   <li>zip archives ({@code PK\3\4} or {@code PK\5\6}): {@link Format#TORCHSCRIPT} when an entry is
 *       {@code code/…} or {@code constants.pkl} (at the top or under the archive's one top folder),
 *       {@link Format#PYTORCH_ZIP} when an entry is {@code data.pkl}, {@link Format#NUMPY} when every
 *       entry is an {@code .npy}, else {@link Format#UNKNOWN};
 *   <li>{@link Format#NUMPY}: {@code \x93NUMPY};
 *   <li>{@link Format#DJL_PARAMS}: {@code DJL@} (what {@code ai.djl.BaseModel.save} writes: the magic, then
 *       the format version 1 as a big-endian int);
 *   <li>{@link Format#DJL_NDLIST}: what {@code NDList.encode} writes in its own encoding: a big-endian
 *       int count, then per array the modified-UTF-8 string {@code NDAR} ({@code 00 04 N D A R});
 *   <li>{@link Format#SAFETENSORS}: byte 8 is <code>&#123;</code> and the first 8 bytes are not text (a length
 *       below 2^56 has a zero top byte); the header is then validated with {@link SafetensorsHeader},
 *       and a malformed one is an error, not another format;
 *   <li>{@link Format#TEXT}: valid UTF-8 without control characters other than tab, CR and LF
 *       (configuration, vocabularies);
 *   <li>otherwise {@link Format#UNKNOWN} (also for an empty file).
 * </ol>
 */
public final class ContentSniffer {

    /** Formats a model file can have. */
    public enum Format {
        /** Safetensors with a valid header: accepted. */
        SAFETENSORS(true),
        /** DJL's model parameter file ({@code <name>-0000.params}, magic {@code DJL@}): accepted. */
        DJL_PARAMS(true),
        /** DJL's own NDList encoding ({@code NDList.encode}): accepted. */
        DJL_NDLIST(true),
        /** UTF-8 text, e.g. a JSON configuration or a vocabulary; never decoded as weights: accepted. */
        TEXT(true),
        /** A TorchScript archive: code, accepted only when the caller marks it trusted. */
        TORCHSCRIPT(false),
        /** A PyTorch zip checkpoint ({@code torch.save}): its {@code data.pkl} is a pickle, refused. */
        PYTORCH_ZIP(false),
        /** A raw pickle (legacy {@code torch.save}, {@code pickle.dump}): code, refused. */
        PICKLE(false),
        /** A NumPy {@code .npy} or {@code .npz}: refused (no validator yet; convert to safetensors). */
        NUMPY(false),
        /** None of the above: refused. */
        UNKNOWN(false);

        private final boolean accepted;

        Format(boolean accepted) {
            this.accepted = accepted;
        }

        /** @return whether the store accepts this format without the caller vouching for code */
        public boolean accepted() {
            return accepted;
        }
    }

    /** The message given for pickle-based files; part of the contract, tests look for it. */
    public static final String PICKLE_REFUSED =
            "pickle-based weights are code and are never loaded; convert to safetensors";

    private static final int PROBE = 16;
    private static final byte[] DJL_PARAMS_MAGIC = {'D', 'J', 'L', '@'};
    private static final byte[] NDAR = {0, 4, 'N', 'D', 'A', 'R'};
    private static final byte[] NUMPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final String PICKLE_TEXT_START = "(c]}";

    private ContentSniffer() {
    }

    /**
     * Classifies a file.
     *
     * @param file a regular file
     * @return its format
     * @throws LetheException (invalid input) naming the file when it cannot be read, is not a regular
     *     file, or looks like safetensors but its header is malformed
     */
    public static Format sniff(Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw LetheException.invalidInput("model file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw LetheException.invalidInput("model file " + file + " is not a regular file"
                    + (Files.isSymbolicLink(file) ? " (symbolic links are refused)" : ""));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                return Format.UNKNOWN;
            }
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(PROBE, size));
            while (head.hasRemaining() && channel.read(head) >= 0) {
                // fill the probe
            }
            byte[] b = java.util.Arrays.copyOf(head.array(), head.position());
            int n = b.length;
            if (n >= 2 && (b[0] & 0xff) == 0x80 && b[1] >= 2 && b[1] <= 5) {
                return Format.PICKLE;
            }
            if (n >= 4 && b[0] == 'P' && b[1] == 'K' && ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6))) {
                return zip(file);
            }
            if (startsWith(b, 0, NUMPY_MAGIC)) {
                return Format.NUMPY;
            }
            if (startsWith(b, 0, DJL_PARAMS_MAGIC)) {
                return Format.DJL_PARAMS;
            }
            if (startsWith(b, 4, NDAR)) {
                return Format.DJL_NDLIST;
            }
            if (n >= 9 && b[8] == '{' && !printable(b, 8)) {
                SafetensorsHeader.read(channel, size, file.toString());
                return Format.SAFETENSORS;
            }
            return text(file);
        } catch (NoSuchFileException e) {
            throw LetheException.invalidInput("model file " + file + " does not exist");
        } catch (IOException e) {
            throw LetheException.invalidInput("model file " + file + ": cannot read it: " + e);
        }
    }

    /**
     * Classifies a file and refuses it unless the store may accept it.
     *
     * @param file a regular file
     * @param trustedCode whether the caller vouches for code in it (TorchScript)
     * @return its format, one that is accepted
     * @throws LetheException (invalid input) naming the file and why it is refused
     */
    public static Format requireAccepted(Path file, boolean trustedCode) {
        Format format = sniff(file);
        switch (format) {
            case PICKLE:
            case PYTORCH_ZIP:
                throw LetheException.invalidInput("model file " + file + " is "
                        + (format == Format.PICKLE ? "a pickle" : "a PyTorch zip checkpoint (its data.pkl is a pickle)")
                        + ": " + PICKLE_REFUSED);
            case TORCHSCRIPT:
                if (!trustedCode) {
                    throw LetheException.invalidInput("model file " + file + " is TorchScript, which is code: it is"
                            + " loaded only when you mark it trusted (trusted code), else convert it to safetensors");
                }
                return format;
            case NUMPY:
                throw LetheException.invalidInput("model file " + file
                        + " is a NumPy .npy/.npz file, which is not accepted as model weights; convert to safetensors");
            case UNKNOWN:
                throw LetheException.invalidInput("model file " + file + " is not in a recognised format (safetensors,"
                        + " DJL parameters or NDList, UTF-8 text); the content decides, not the file name");
            default:
                return format;
        }
    }

    private static Format zip(Path file) {
        boolean pickle = false;
        boolean allNpy = true;
        boolean any = false;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                any = true;
                String inner = name.indexOf('/') >= 0 ? name.substring(name.indexOf('/') + 1) : name;
                if (name.startsWith("code/") || inner.startsWith("code/")
                        || name.equals("constants.pkl") || inner.equals("constants.pkl")) {
                    return Format.TORCHSCRIPT;
                }
                if (name.equals("data.pkl") || inner.equals("data.pkl") || name.endsWith(".pkl")) {
                    pickle = true;
                }
                if (!entry.isDirectory() && !name.endsWith(".npy")) {
                    allNpy = false;
                }
            }
        } catch (ZipException e) {
            return Format.UNKNOWN;
        } catch (IOException e) {
            throw LetheException.invalidInput("model file " + file + ": cannot read it as a zip archive: " + e);
        }
        if (pickle) {
            return Format.PYTORCH_ZIP;
        }
        return any && allNpy ? Format.NUMPY : Format.UNKNOWN;
    }

    private static Format text(Path file) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int first = -1;
        int last = -1;
        byte[] chunk = new byte[64 * 1024];
        ByteBuffer pending = ByteBuffer.allocate(chunk.length + 8);
        java.nio.CharBuffer chars = java.nio.CharBuffer.allocate(chunk.length + 8);
        try (InputStream in = Files.newInputStream(file)) {
            for (int read = in.read(chunk); read >= 0; read = in.read(chunk)) {
                for (int i = 0; i < read; i++) {
                    int c = chunk[i] & 0xff;
                    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
                        return Format.UNKNOWN;
                    }
                }
                if (read > 0) {
                    if (first < 0) {
                        first = chunk[0] & 0xff;
                    }
                    last = chunk[read - 1] & 0xff;
                }
                pending.put(chunk, 0, read);
                pending.flip();
                chars.clear();
                if (decoder.decode(pending, chars, false).isError()) {
                    return Format.UNKNOWN;
                }
                pending.compact();
            }
            pending.flip();
            chars.clear();
            if (decoder.decode(pending, chars, true).isError() || pending.hasRemaining()
                    || decoder.flush(chars).isError()) {
                return Format.UNKNOWN;
            }
        } catch (CharacterCodingException e) {
            return Format.UNKNOWN;
        }
        if (last == '.' && first >= 0 && PICKLE_TEXT_START.indexOf(first) >= 0) {
            return Format.PICKLE;
        }
        return Format.TEXT;
    }

    private static boolean printable(byte[] bytes, int count) {
        for (int i = 0; i < count; i++) {
            int c = bytes[i] & 0xff;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] magic) {
        if (bytes.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (bytes[offset + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
