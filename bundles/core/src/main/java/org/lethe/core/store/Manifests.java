package org.lethe.core.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelKind;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.run.RunKey;

/**
 * The {@code manifest.json} format (format 1): every {@link ModelManifest} field, keys sorted, so that
 * the same manifest always gives the same bytes.
 *
 * <pre>{@code
 * { "format": 1, "id": "facts-lm", "version": 2, "kind": "LANGUAGE", "architecture": "tiny-lm",
 *   "config": {"layers": "2"}, "parent": "facts-lm:1", "producedBy": "0123456789abcdef",
 *   "files": {"weights.safetensors": "<sha256 hex>"},
 *   "attachments": [{"type": "ADAPTER", "name": "x", "files": ["x.safetensors"], "config": {}, "enabled": true}],
 *   "created": "2026-01-01T00:00:00Z" }
 * }</pre>
 */
final class Manifests {

    static final int FORMAT = 1;

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private Manifests() {
    }

    /** @return the manifest as UTF-8 JSON */
    static byte[] write(ModelManifest manifest) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("id", manifest.ref().id());
        root.put("version", manifest.ref().version());
        root.put("kind", manifest.kind().name());
        root.put("architecture", manifest.architecture());
        root.set("config", strings(manifest.config()));
        if (manifest.parent().isPresent()) {
            root.put("parent", manifest.parent().get().toString());
        } else {
            root.putNull("parent");
        }
        if (manifest.producedBy().isPresent()) {
            root.put("producedBy", manifest.producedBy().get().value());
        } else {
            root.putNull("producedBy");
        }
        root.set("files", strings(manifest.files()));
        ArrayNode attachments = root.putArray("attachments");
        for (ModelManifest.Attachment attachment : manifest.attachments()) {
            ObjectNode node = attachments.addObject();
            node.put("type", attachment.type().name());
            node.put("name", attachment.name());
            ArrayNode files = node.putArray("files");
            attachment.files().forEach(files::add);
            node.set("config", strings(attachment.config()));
            node.put("enabled", attachment.enabled());
        }
        root.put("created", manifest.created().toString());
        try {
            return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static ObjectNode strings(Map<String, String> map) {
        ObjectNode node = JSON.createObjectNode();
        new TreeMap<>(map).forEach(node::put);
        return node;
    }

    /**
     * Parses and validates a manifest.
     *
     * @param bytes the content of {@code manifest.json}
     * @param where the file, for messages
     * @throws LetheException (invalid input) naming {@code where} and the field
     */
    static ModelManifest read(byte[] bytes, String where) {
        JsonNode root = tree(bytes, where);
        JsonNode format = root.get("format");
        if (format == null || !format.isInt() || format.intValue() != FORMAT) {
            throw bad(where, "field format must be " + FORMAT + ", not " + format);
        }
        String id = text(root, "id", where);
        try {
            ModelRef.checkId(id);
        } catch (LetheException e) {
            throw bad(where, "field id: " + e.getMessage());
        }
        JsonNode versionNode = root.get("version");
        if (versionNode == null || !versionNode.isInt() || versionNode.intValue() < 1) {
            throw bad(where, "field version must be an integer ≥ 1, not " + versionNode);
        }
        ModelRef ref = new ModelRef(id, versionNode.intValue());
        ModelKind kind = kind(root, where);
        String architecture = text(root, "architecture", where);
        if (architecture.isBlank()) {
            throw bad(where, "field architecture is empty");
        }
        Map<String, String> config = stringMap(root.get("config"), "config", where);
        Optional<ModelRef> parent = Optional.empty();
        JsonNode parentNode = root.get("parent");
        if (parentNode != null && !parentNode.isNull()) {
            if (!parentNode.isTextual()) {
                throw bad(where, "field parent must be a string id:version or null");
            }
            ModelRef p;
            try {
                p = ModelRef.parse(parentNode.textValue());
            } catch (LetheException e) {
                throw bad(where, "field parent: " + e.getMessage());
            }
            if (p.isBase()) {
                throw bad(where, "field parent must name a version (id:version), not " + p);
            }
            parent = Optional.of(p);
        }
        Optional<RunKey> producedBy = Optional.empty();
        JsonNode runNode = root.get("producedBy");
        if (runNode != null && !runNode.isNull()) {
            if (!runNode.isTextual()) {
                throw bad(where, "field producedBy must be a run key or null");
            }
            try {
                producedBy = Optional.of(new RunKey(runNode.textValue()));
            } catch (LetheException e) {
                throw bad(where, "field producedBy: " + e.getMessage());
            }
        }
        Map<String, String> files = files(root, where);
        List<ModelManifest.Attachment> attachments = attachments(root, where);
        checkAttachments(attachments, files.keySet(), "manifest " + where);
        String createdText = text(root, "created", where);
        Instant created;
        try {
            created = Instant.parse(createdText);
        } catch (DateTimeParseException e) {
            throw bad(where, "field created is not an ISO-8601 instant: '" + SafetensorsHeader.printable(createdText) + "'");
        }
        return new ModelManifest(ref, kind, architecture, config, parent, producedBy, files, attachments, created);
    }

    /**
     * What an import needs from a source folder's manifest: an exported manifest, or a hand-written one
     * with at least {@code kind} and {@code architecture}. The id, version, parent, run and date of a
     * source are not kept: an import is a new root.
     *
     * @param kind what the model does
     * @param architecture the architecture that loads it
     * @param config its settings (empty when absent)
     * @param files the SHA-256 of every file when the manifest lists them; then the folder must hold
     *     exactly these files
     * @param attachments its attachments (empty when absent)
     */
    record ImportSpec(ModelKind kind, String architecture, Map<String, String> config,
            Optional<Map<String, String>> files, List<ModelManifest.Attachment> attachments) {
    }

    /**
     * Parses the manifest of an import source.
     *
     * @throws LetheException (invalid input) naming {@code where} and the field
     */
    static ImportSpec readForImport(byte[] bytes, String where) {
        JsonNode root = tree(bytes, where);
        JsonNode format = root.get("format");
        if (format != null && (!format.isInt() || format.intValue() != FORMAT)) {
            throw bad(where, "field format must be " + FORMAT + ", not " + format);
        }
        ModelKind kind = kind(root, where);
        String architecture = text(root, "architecture", where);
        if (architecture.isBlank()) {
            throw bad(where, "field architecture is empty");
        }
        Map<String, String> config = root.hasNonNull("config") ? stringMap(root.get("config"), "config", where) : Map.of();
        Optional<Map<String, String>> files = Optional.empty();
        if (root.hasNonNull("files")) {
            files = Optional.of(files(root, where));
        }
        List<ModelManifest.Attachment> attachments = attachments(root, where);
        return new ImportSpec(kind, architecture, config, files, attachments);
    }

    private static JsonNode tree(byte[] bytes, String where) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw bad(where, "not valid JSON: " + SafetensorsHeader.printable(e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw bad(where, "not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(where, "not a JSON object");
        }
        return root;
    }

    private static ModelKind kind(JsonNode root, String where) {
        String kindName = text(root, "kind", where);
        try {
            return ModelKind.valueOf(kindName);
        } catch (IllegalArgumentException e) {
            throw bad(where, "field kind: unknown kind '" + SafetensorsHeader.printable(kindName)
                    + "' (known: " + java.util.Arrays.toString(ModelKind.values()) + ")");
        }
    }

    private static Map<String, String> files(JsonNode root, String where) {
        Map<String, String> files = stringMap(root.get("files"), "files", where);
        for (Map.Entry<String, String> file : files.entrySet()) {
            checkRelativePath(file.getKey(), "manifest " + where + ": field files");
            if (!SHA256.matcher(file.getValue()).matches()) {
                throw bad(where, "field files: the SHA-256 of '" + SafetensorsHeader.printable(file.getKey())
                        + "' must be 64 lower-case hex digits");
            }
        }
        return files;
    }

    private static List<ModelManifest.Attachment> attachments(JsonNode root, String where) {
        List<ModelManifest.Attachment> attachments = new ArrayList<>();
        JsonNode attachmentsNode = root.get("attachments");
        if (attachmentsNode != null && !attachmentsNode.isNull()) {
            if (!attachmentsNode.isArray()) {
                throw bad(where, "field attachments must be an array");
            }
            for (int i = 0; i < attachmentsNode.size(); i++) {
                attachments.add(attachment(attachmentsNode.get(i), "attachments[" + i + "]", where));
            }
        }
        return attachments;
    }

    private static ModelManifest.Attachment attachment(JsonNode node, String field, String where) {
        if (node == null || !node.isObject()) {
            throw bad(where, "field " + field + " must be an object");
        }
        ModelManifest.Attachment.Type type;
        String typeName = text(node, "type", where + ": " + field);
        try {
            type = ModelManifest.Attachment.Type.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw bad(where, "field " + field + ".type: unknown type '" + SafetensorsHeader.printable(typeName) + "'");
        }
        String name = text(node, "name", where + ": " + field);
        JsonNode filesNode = node.get("files");
        List<String> files = new ArrayList<>();
        if (filesNode == null || !filesNode.isArray()) {
            throw bad(where, "field " + field + ".files must be an array of file names");
        }
        for (JsonNode file : filesNode) {
            if (!file.isTextual()) {
                throw bad(where, "field " + field + ".files must hold strings");
            }
            files.add(file.textValue());
        }
        Map<String, String> config = stringMap(node.get("config"), field + ".config", where);
        JsonNode enabled = node.get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
            throw bad(where, "field " + field + ".enabled must be true or false");
        }
        return new ModelManifest.Attachment(type, name, files, config, enabled.booleanValue());
    }

    /**
     * Checks that attachment names are unique and name files of the version.
     *
     * @throws LetheException (invalid input) naming {@code where}, the attachment and the file
     */
    static void checkAttachments(List<ModelManifest.Attachment> attachments, java.util.Set<String> files,
            String where) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (ModelManifest.Attachment attachment : attachments) {
            if (attachment.name().isBlank()) {
                throw LetheException.invalidInput(where + ": " + "an attachment has an empty name");
            }
            if (!names.add(attachment.name())) {
                throw LetheException.invalidInput(where + ": " + "two attachments are named '" + SafetensorsHeader.printable(attachment.name()) + "'");
            }
            for (String file : attachment.files()) {
                if (!files.contains(file)) {
                    throw LetheException.invalidInput(where + ": " + "attachment '" + SafetensorsHeader.printable(attachment.name()) + "' names file '"
                            + SafetensorsHeader.printable(file) + "', which is not a file of the version");
                }
            }
        }
    }

    /**
     * Checks a file name relative to a version folder: {@code /}-separated, no empty, {@code .} or
     * {@code ..} segment, no backslash, no control character, not one of the store's own names.
     *
     * @throws LetheException (invalid input) naming {@code where} and the path
     */
    static void checkRelativePath(String path, String where) {
        String shown = SafetensorsHeader.printable(path);
        if (path.isEmpty() || path.length() > 1024) {
            throw LetheException.invalidInput(where + ": file name '" + shown + "' is empty or too long");
        }
        if (path.indexOf('\\') >= 0 || path.startsWith("/") || path.indexOf(':') >= 0) {
            throw LetheException.invalidInput(where + ": file name '" + shown
                    + "' must be a relative path with '/' separators (no '\\', ':' or leading '/')");
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                throw LetheException.invalidInput(where + ": file name '" + shown + "' contains a control character");
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw LetheException.invalidInput(where + ": file name '" + shown
                        + "' has an empty, '.' or '..' segment");
            }
        }
        if (Fs.RESERVED.contains(path)) {
            throw LetheException.invalidInput(where + ": file name '" + shown + "' is reserved by the model store");
        }
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw bad(where, "field " + field + " is missing or not a string");
        }
        return value.textValue();
    }

    private static Map<String, String> stringMap(JsonNode node, String field, String where) {
        if (node == null || !node.isObject()) {
            throw bad(where, "field " + field + " must be an object of strings");
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw bad(where, "field " + field + "." + SafetensorsHeader.printable(entry.getKey()) + " must be a string");
            }
            out.put(entry.getKey(), entry.getValue().textValue());
        }
        return out;
    }

    private static LetheException bad(String where, String message) {
        return LetheException.invalidInput("manifest " + where + ": " + message);
    }
}
