package org.lethe.core.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lethe.api.LetheException;

/**
 * A validated safetensors header: the gate in front of DJL's reader ({@code NDList.decode}), which
 * trusts the header and allocates whatever it claims (DESIGN §7).
 *
 * <p>The file layout is: 8 bytes, the header length {@code n} as an unsigned little-endian integer;
 * {@code n} bytes of UTF-8 JSON (an object mapping tensor names to {@code dtype}, {@code shape} and
 * {@code data_offsets}, plus an optional {@code __metadata__} object of strings); then the data
 * section, whose byte offsets the entries give relative to its start.
 *
 * <p>{@link #read(Path)} checks, in this order and before allocating anything sized by the file:
 * {@code 2 ≤ n ≤ min(fileSize − 8, }{@value #MAX_HEADER_BYTES}{@code )}; the JSON starts with
 * <code>&#123;</code> (DJL recognises safetensors by that byte; anything else would be decoded as another
 * format), is valid UTF-8 and a single JSON object without duplicate keys; every tensor has a known
 * dtype, a shape of non-negative integers and two offsets {@code begin ≤ end ≤ dataSize}, with
 * {@code product(shape) · itemSize = end − begin} computed without overflow; the spans do not overlap
 * and together cover the data section exactly. Any failure is a {@link LetheException} with status
 * "invalid input" naming the file and the tensor or field.
 */
public final class SafetensorsHeader {

    /** The largest header accepted, in bytes (100 MiB; real headers are kilobytes to a few MiB). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /**
     * The largest data section DJL 0.36 can decode, in bytes: it addresses offsets as {@code int} and
     * reads the section into one {@code byte[]}.
     */
    public static final long DJL_MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    /** The name of the optional metadata entry, which is not a tensor. */
    public static final String METADATA = "__metadata__";

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .build();

    /**
     * One tensor's entry.
     *
     * @param name its name (the JSON key)
     * @param dtype its safetensors data type, e.g. {@code F32}
     * @param shape its dimensions (empty for a scalar)
     * @param begin the first byte of its data, relative to the start of the data section
     * @param end one past its last byte, relative to the start of the data section
     */
    public record Tensor(String name, String dtype, List<Long> shape, long begin, long end) {

        /** Copies the shape. */
        public Tensor {
            shape = List.copyOf(shape);
        }

        /** @return the size of its data in bytes ({@code end − begin}) */
        public long byteSize() {
            return end - begin;
        }
    }

    private final String file;
    private final long headerLength;
    private final long dataSize;
    private final Map<String, String> metadata;
    private final List<Tensor> tensors;

    private SafetensorsHeader(String file, long headerLength, long dataSize, Map<String, String> metadata,
            List<Tensor> tensors) {
        this.file = file;
        this.headerLength = headerLength;
        this.dataSize = dataSize;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /**
     * Reads and validates the header of a file.
     *
     * @param file the file
     * @return the validated header
     * @throws LetheException (invalid input) naming the file and the tensor or field when the header is
     *     malformed, or when the file does not exist
     */
    public static SafetensorsHeader read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, channel.size(), file.toString());
        } catch (NoSuchFileException e) {
            throw LetheException.invalidInput("safetensors file " + file + " does not exist");
        } catch (IOException e) {
            throw LetheException.invalidInput("safetensors file " + file + ": cannot read it: " + e);
        }
    }

    /**
     * Reads and validates a header from a channel positioned anywhere; reading starts at position 0.
     *
     * @param channel the content
     * @param size the content's size in bytes (the file size)
     * @param name the file name used in messages
     * @return the validated header
     * @throws LetheException (invalid input) naming {@code name} and the tensor or field
     * @throws IOException when the channel cannot be read
     */
    public static SafetensorsHeader read(SeekableByteChannel channel, long size, String name) throws IOException {
        if (size < 8 + 2) {
            throw bad(name, "is " + size + " bytes long, too short for a safetensors file (8-byte length + header)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        channel.position(0);
        readFully(channel, lengthBytes, name);
        long length = lengthBytes.getLong(0);
        long limit = Math.min(size - 8, MAX_HEADER_BYTES);
        // An unsigned length ≥ 2^63 reads as negative: refused like any other out-of-range value.
        if (length < 2 || length > limit) {
            String why = length < 0 || length > size - 8
                    ? "exceeds the " + (size - 8) + " bytes after the length field"
                    : length < 2 ? "is below the minimum of 2 ({})"
                    : "exceeds the limit of " + MAX_HEADER_BYTES + " bytes";
            throw bad(name, "header length " + Long.toUnsignedString(length) + " " + why);
        }
        ByteBuffer header = ByteBuffer.allocate((int) length);
        readFully(channel, header, name);
        byte[] bytes = header.array();
        if (bytes[0] != '{') {
            throw bad(name, "the header does not start with '{' (byte 8 is 0x"
                    + String.format("%02x", bytes[0] & 0xff) + ")");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(name, "the header is not valid UTF-8");
        }
        return parse(name, length, size - 8 - length, text);
    }

    private static SafetensorsHeader parse(String name, long headerLength, long dataSize, String text) {
        Map<String, JsonNode> entries = new LinkedHashMap<>();
        try (JsonParser parser = JSON.createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw bad(name, "the header is not a JSON object");
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String key = parser.currentName();
                parser.nextToken();
                JsonNode value = parser.readValueAsTree();
                if (entries.putIfAbsent(key, value) != null) {
                    throw bad(name, "duplicate key '" + printable(key) + "' in the header");
                }
            }
            if (parser.nextToken() != null) {
                throw bad(name, "unexpected content after the header's JSON object");
            }
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage();
            if (message != null && message.startsWith("Duplicate field")) {
                throw bad(name, "duplicate key in the header: " + printable(message));
            }
            throw bad(name, "the header is not valid JSON: " + printable(message) + " at character "
                    + e.getLocation().getCharOffset());
        } catch (IOException e) {
            throw bad(name, "the header is not valid JSON: " + printable(e.getMessage()));
        }

        Map<String, String> metadata = Map.of();
        List<Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : entries.entrySet()) {
            if (entry.getKey().equals(METADATA)) {
                metadata = metadata(name, entry.getValue());
            } else {
                tensors.add(tensor(name, entry.getKey(), entry.getValue(), dataSize));
            }
        }
        List<Tensor> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(Tensor::begin).thenComparingLong(Tensor::end));
        long covered = 0;
        Tensor previous = null;
        for (Tensor tensor : byOffset) {
            if (tensor.begin() < covered) {
                throw bad(name, "tensor '" + printable(tensor.name()) + "': data_offsets [" + tensor.begin() + ", "
                        + tensor.end() + "] overlap tensor '" + printable(previous.name()) + "' [" + previous.begin()
                        + ", " + previous.end() + "]");
            }
            if (tensor.begin() > covered) {
                throw bad(name, "tensor '" + printable(tensor.name()) + "': data_offsets start at " + tensor.begin()
                        + " but the previous tensor ends at " + covered + " (gap in the data section)");
            }
            covered = tensor.end();
            previous = tensor;
        }
        if (covered != dataSize) {
            throw bad(name, "the tensors cover " + covered + " of the " + dataSize
                    + " bytes of the data section (trailing bytes not described by the header)");
        }
        return new SafetensorsHeader(name, headerLength, dataSize, Collections.unmodifiableMap(metadata),
                List.copyOf(tensors));
    }

    private static Map<String, String> metadata(String name, JsonNode node) {
        if (!node.isObject()) {
            throw bad(name, "field " + METADATA + " must be an object of strings, not " + node.getNodeType());
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw bad(name, "field " + METADATA + "." + printable(field.getKey()) + " must be a string, not "
                        + field.getValue().getNodeType());
            }
            values.put(field.getKey(), field.getValue().textValue());
        }
        return values;
    }

    private static Tensor tensor(String name, String tensor, JsonNode node, long dataSize) {
        String where = "tensor '" + printable(tensor) + "'";
        if (!node.isObject()) {
            throw bad(name, where + ": entry must be an object, not " + node.getNodeType());
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw bad(name, where + ": field dtype is missing or not a string");
        }
        String dtype = dtypeNode.textValue();
        int itemSize = itemSize(dtype);
        if (itemSize < 0) {
            throw bad(name, where + ": unknown dtype '" + printable(dtype)
                    + "' (known: F64, F32, F16, BF16, I64, I32, I8, U8, BOOL)");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw bad(name, where + ": field shape is missing or not an array");
        }
        List<Long> shape = new ArrayList<>();
        long elements = 1;
        for (int i = 0; i < shapeNode.size(); i++) {
            long dimension = nonNegativeLong(name, where + ": shape[" + i + "]", shapeNode.get(i));
            shape.add(dimension);
            try {
                elements = Math.multiplyExact(elements, dimension);
            } catch (ArithmeticException e) {
                throw bad(name, where + ": shape " + shape + "… has more elements than fit in 63 bits");
            }
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(elements, (long) itemSize);
        } catch (ArithmeticException e) {
            throw bad(name, where + ": shape " + shape + " × " + itemSize + " bytes overflows 63 bits");
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
            throw bad(name, where + ": field data_offsets must be an array of 2 integers");
        }
        long begin = nonNegativeLong(name, where + ": data_offsets[0]", offsets.get(0));
        long end = nonNegativeLong(name, where + ": data_offsets[1]", offsets.get(1));
        if (begin > end) {
            throw bad(name, where + ": data_offsets [" + begin + ", " + end + "] begin after end");
        }
        if (end > dataSize) {
            throw bad(name, where + ": data_offsets [" + begin + ", " + end + "] run past the end of the data section ("
                    + dataSize + " bytes)");
        }
        if (end - begin != bytes) {
            throw bad(name, where + ": shape " + shape + " of " + dtype + " needs " + bytes
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new Tensor(tensor, dtype, shape, begin, end);
    }

    private static long nonNegativeLong(String name, String field, JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw bad(name, field + " must be a non-negative integer, not " + (node == null ? "missing" : node));
        }
        return node.longValue();
    }

    /**
     * @param dtype a safetensors data type name
     * @return its size in bytes, or −1 when it is not one DJL 0.36 reads
     */
    public static int itemSize(String dtype) {
        switch (dtype) {
            case "F64":
            case "I64":
                return 8;
            case "F32":
            case "I32":
                return 4;
            case "F16":
            case "BF16":
                return 2;
            case "I8":
            case "U8":
            case "BOOL":
                return 1;
            default:
                return -1;
        }
    }

    /**
     * Refuses a file DJL 0.36 cannot decode although it is valid safetensors: one whose data section
     * exceeds {@link #DJL_MAX_DATA_BYTES}.
     *
     * @return this header
     * @throws LetheException (invalid input) naming the file, suggesting to shard it
     */
    public SafetensorsHeader requireDjlReadable() {
        if (dataSize > DJL_MAX_DATA_BYTES) {
            throw bad(file, "data section of " + dataSize + " bytes is larger than DJL can read (2 GiB); shard the checkpoint");
        }
        return this;
    }

    /** @return the file name used in messages */
    public String file() {
        return file;
    }

    /** @return the length of the JSON header in bytes */
    public long headerLength() {
        return headerLength;
    }

    /** @return where the data section starts in the file, in bytes ({@code 8 + headerLength}) */
    public long dataOffset() {
        return 8 + headerLength;
    }

    /** @return the size of the data section in bytes */
    public long dataSize() {
        return dataSize;
    }

    /** @return the {@code __metadata__} entries (empty when absent) */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** @return the tensors, in the header's order */
    public List<Tensor> tensors() {
        return tensors;
    }

    private static void readFully(SeekableByteChannel channel, ByteBuffer buffer, String name) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException(name + ": unexpected end of file");
            }
        }
    }

    private static LetheException bad(String file, String message) {
        return LetheException.invalidInput("safetensors file " + file + ": " + message);
    }

    /** Control characters escaped and long text cut, so that a hostile name cannot flood or rewrite a terminal. */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(200).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > 200 ? out + "…" : out.toString();
    }
}
