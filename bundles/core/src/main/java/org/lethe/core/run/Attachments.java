package org.lethe.core.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.lethe.api.LetheException;
import org.lethe.api.model.Intervention;
import org.lethe.api.model.ModelManifest;
import org.lethe.core.store.FileModelStore;

/**
 * What an unlearning or erasure run attaches to the version it commits ({@link
 * org.lethe.api.method.Task#attach}): checked as each is added, written into the lease folder after
 * the weights are saved, and committed with the base version's own attachments.
 */
final class Attachments {

    /** A plain file name: no folder, no leading dot, at most 255 characters. */
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");

    private final ModelManifest base;
    private final Predicate<String> deployed;
    private final List<ModelManifest.Attachment> added = new ArrayList<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    /**
     * @param base the version the run started from (its attachments and files are kept)
     * @param deployed whether an intervention type has a deployed service (a version whose
     *     intervention cannot be applied would be refused by every load, so it is not committed)
     */
    Attachments(ModelManifest base, Predicate<String> deployed) {
        this.base = base;
        this.deployed = deployed;
    }

    /**
     * Checks an attachment and keeps a copy of it and its files for the commit.
     *
     * @param attachment the attachment; its name must be new in the version, its {@code files} the keys of {@code files}
     * @param content each file's plain name and bytes
     * @throws LetheException (invalid input) naming the attachment and the problem; nothing is kept then
     */
    synchronized void add(ModelManifest.Attachment attachment, Map<String, byte[]> content) {
        if (attachment == null) {
            throw LetheException.invalidInput("attach: no attachment given");
        }
        String what = "attachment '" + attachment.name() + "'";
        if (content == null) {
            throw LetheException.invalidInput(what + ": no files given (an empty map when it has none)");
        }
        if (attachment.name().isBlank()) {
            throw LetheException.invalidInput("attach: an attachment needs a name");
        }
        for (ModelManifest.Attachment other : attachments()) {
            if (other.name().equals(attachment.name())) {
                throw LetheException.invalidInput(what + ": the name is taken by an attachment of "
                        + (added.contains(other) ? "this run" : "the base version " + base.ref()));
            }
        }
        if (attachment.type() == ModelManifest.Attachment.Type.INTERVENTION) {
            String type = attachment.config().get(Intervention.ATTACHMENT_KEY);
            if (type == null || type.isBlank()) {
                throw LetheException.invalidInput(what + ": an intervention names its type under the config key '"
                        + Intervention.ATTACHMENT_KEY + "'");
            }
            if (!deployed.test(type)) {
                throw LetheException.invalidInput(what + ": no deployed bundle provides the intervention type '" + type
                        + "' (service property " + Intervention.TYPE + "=" + type + "), so no load could apply it");
            }
        }
        Set<String> listed = new HashSet<>();
        for (String file : attachment.files()) {
            if (!listed.add(file)) {
                throw LetheException.invalidInput(what + ": lists the file '" + file + "' twice");
            }
        }
        if (!listed.equals(content.keySet())) {
            throw LetheException.invalidInput(what + ": its files " + attachment.files()
                    + " are not the files given " + List.copyOf(content.keySet()));
        }
        for (String file : attachment.files()) {
            if (!FILE_NAME.matcher(file).matches()) {
                throw LetheException.invalidInput(what + ": file name '" + file + "' is not a plain file name"
                        + " (letters, digits, '.', '_', '-'; no folder; not starting with '.')");
            }
            if (FileModelStore.reserved(file)) {
                throw LetheException.invalidInput(what + ": file name '" + file + "' is reserved by the model store");
            }
            if (base.files().containsKey(file)) {
                throw LetheException.invalidInput(what + ": file '" + file + "' would overwrite a file of the base version "
                        + base.ref() + " (its weights or an attachment's file)");
            }
            if (files.containsKey(file)) {
                throw LetheException.invalidInput(what + ": file '" + file + "' is already attached by this run");
            }
            if (content.get(file) == null) {
                throw LetheException.invalidInput(what + ": file '" + file + "' has no content");
            }
        }
        added.add(attachment);
        for (String file : attachment.files()) {
            files.put(file, content.get(file).clone());
        }
    }

    /** @return the base version's attachments, then the ones this run added, in order */
    synchronized List<ModelManifest.Attachment> attachments() {
        List<ModelManifest.Attachment> all = new ArrayList<>(base.attachments());
        all.addAll(added);
        return all;
    }

    /** @return the attachments this run added */
    synchronized List<ModelManifest.Attachment> added() {
        return List.copyOf(added);
    }

    /**
     * Writes the added attachments' files into the lease folder, after the weights were saved there.
     *
     * @param directory the lease folder
     * @throws IOException when a file cannot be written
     * @throws LetheException (failed) when the saved weights took one of the names
     */
    synchronized void write(Path directory) throws IOException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path target = directory.resolve(file.getKey());
            if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw LetheException.failed("the model's weights were saved as '" + file.getKey()
                        + "', a file an attachment of this run names", null);
            }
            Files.write(target, file.getValue(), java.nio.file.StandardOpenOption.CREATE_NEW);
        }
    }
}
