package org.lethe.shell.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.ServiceProperties;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Text;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:import <folder>}: imports a model folder (what {@code unlearn:export} writes) as version 1 of a new id. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "import")
public final class ImportCommand extends ShellCommand {

    static final String SUMMARY = "Import a model folder (manifest.json and weights) as a new model";

    static final String MANIFEST = "manifest.json";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "import", SUMMARY)
            .description("""
                    The folder holds manifest.json (at least "kind" and "architecture"; optionally "config",
                    "files" with the SHA-256 of each file, "attachments") and the model's files: what
                    unlearn:export writes. Every file's content is checked (safetensors headers are validated,
                    pickle files are refused, TorchScript only with --trusted-code since it is code), and the
                    model appears whole or not at all.

                    A dry run checks the id, the folder and its manifest; the content checks run with the real
                    import (the model store offers no check-only import).""")
            .operand(Operand.required("folder", "The model folder.", Completion.DIRECTORY))
            .option(Option.value('i', "id", "id",
                    "The new model's id (a-z 0-9 . _ -, at most 64); default: the folder's name.", Completion.NONE))
            .option(Option.flag((char) 0, "trusted-code",
                    "Accept TorchScript files, which are code: only for models from a source you trust."))
            .option(Option.flag('n', "dry-run", "Check the id, the folder and its manifest; import nothing."))
            .example("unlearn:import /tmp/tiny-model --id tiny")
            .exitStatuses(CommandSpec.EXIT_CHANGES)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public ImportCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point ({@code import} is a Java keyword: Gogo calls {@code _import}).
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the new model
     */
    @Descriptor(SUMMARY + " (unlearn:import --help)")
    public Object _import(CommandSession session, @Descriptor("see unlearn:import --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        ModelStore store = services.models();
        String text = call.args().operands().get(0);
        Path folder = call.path(text);
        if (!Files.exists(folder)) {
            throw LetheException.invalidInput(Text.printable(text) + ": no such folder");
        }
        if (!Files.isDirectory(folder)) {
            throw LetheException.invalidInput(Text.printable(text) + ": not a folder (a model folder holds " + MANIFEST
                    + " and the model's files, as unlearn:export writes them)");
        }
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw LetheException.invalidInput(Text.printable(text) + ": no " + MANIFEST
                    + " (it names the kind, architecture and files of the model)");
        }
        String id = call.args().value("id").orElseGet(() -> folder.getFileName().toString());
        try {
            ModelRef.checkId(id);
        } catch (LetheException e) {
            throw call.args().value("id").isPresent() ? e : LetheException.invalidInput("the folder's name '"
                    + Text.printable(id) + "' is not a model id: give one with --id (a-z 0-9 . _ -, at most 64)");
        }
        if (store.ids().contains(id)) {
            throw LetheException.invalidInput("model '" + id + "' exists already (" + store.versions(id).size()
                    + " version(s)); choose another --id, or see unlearn:model " + id);
        }
        if (call.args().flag("dry-run")) {
            JsonNode node = readManifest(manifest);
            String architecture = node.path("architecture").asText("");
            call.out().println("  id            " + id);
            call.out().println("  folder        " + folder);
            call.out().println("  kind          " + Text.printable(node.path("kind").asText("(missing)")));
            call.out().println("  architecture  " + Text.printable(architecture.isEmpty() ? "(missing)" : architecture)
                    + (architecture.isEmpty() ? "" : architectureInstalled(architecture) ? " (installed)"
                            : " (no bundle provides it: runs on this model would be refused)"));
            try (var files = Files.list(folder)) {
                List<Path> list = files.filter(f -> !f.getFileName().toString().equals(MANIFEST)).sorted().toList();
                call.out().println("  files         " + list.size() + " (their content is checked by the real import)");
            } catch (IOException e) {
                throw LetheException.invalidInput(Text.printable(text) + ": cannot list: " + e.getMessage());
            }
            call.out().println("dry run: nothing was imported");
            return null;
        }
        ModelRef ref = store.importModel(folder, id, call.args().flag("trusted-code"));
        call.out().println("imported " + ref + " from " + folder);
        return null;
    }

    private static JsonNode readManifest(Path manifest) {
        try {
            if (Files.size(manifest) > 1 << 20) {
                throw LetheException.invalidInput(manifest + ": larger than 1 MiB");
            }
            JsonNode node = JSON.readTree(manifest.toFile());
            if (node == null || !node.isObject()) {
                throw LetheException.invalidInput(manifest + ": not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw LetheException.invalidInput(manifest + ": not valid JSON: " + e.getMessage());
        }
    }

    private boolean architectureInstalled(String architecture) {
        return services.context().map(ctx -> {
            try {
                return ctx.getServiceReferences((String) null, "(" + ServiceProperties.ARCHITECTURE + "="
                        + architecture.replaceAll("([\\\\*()])", "\\\\$1") + ")") != null;
            } catch (InvalidSyntaxException e) {
                return false;
            }
        }).orElse(true);
    }
}
