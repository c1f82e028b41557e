package org.lethe.shell.commands;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelStore;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.ProgressLine;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Text;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:model <id>[:<version>]}: a version's manifest, its lineage and the other versions of its id. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "model")
public final class ModelCommand extends ShellCommand {

    static final String SUMMARY = "Show a model version: manifest, files, attachments and lineage";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "model", SUMMARY)
            .description("""
                    Without a version, the base version of the id. The lineage runs from the version to its
                    root, each step naming the run that produced it (unlearn:report <run> describes it).""")
            .operand(Operand.required("ref", "The model: id or id:version (unlearn:models lists them).", Completion.MODEL))
            .example("unlearn:model tiny")
            .example("unlearn:model tiny:2")
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public ModelCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the model
     */
    @Descriptor(SUMMARY + " (unlearn:model --help)")
    public Object model(CommandSession session, @Descriptor("see unlearn:model --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        ModelStore store = services.models();
        ModelManifest manifest = RunLauncher.model(store, call.args().operands().get(0));
        PrintStream out = call.out();
        out.println(manifest.ref() + "  (" + manifest.kind().name().toLowerCase(Locale.ROOT) + ", "
                + Text.printable(manifest.architecture()) + ")");
        field(out, "created", Text.time(manifest.created()));
        field(out, "parent", manifest.parent().map(Object::toString).orElse("none (a root: imported or trained)"));
        field(out, "run", manifest.producedBy().map(k -> k.value() + "  (unlearn:report "
                + ProgressLine.shortKey(k.value()) + ")").orElse("none"));
        if (!manifest.config().isEmpty()) {
            out.println("  config");
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(manifest.config()).entrySet()) {
                out.println("    " + Text.printable(e.getKey()) + " = " + Text.fit(Text.printable(e.getValue()), 100));
            }
        }
        out.println("  files");
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(manifest.files()).entrySet()) {
            out.println("    " + Text.printable(e.getKey()) + "  sha256 " + e.getValue().substring(0, Math.min(16, e.getValue().length())));
        }
        if (!manifest.attachments().isEmpty()) {
            out.println("  attachments");
            for (ModelManifest.Attachment a : manifest.attachments()) {
                out.println("    " + a.type().name().toLowerCase(Locale.ROOT) + " " + Text.printable(a.name())
                        + (a.enabled() ? "" : " (disabled)") + "  " + Text.printable(String.join(", ", a.files())));
            }
        }
        out.println();
        out.println("Lineage (newest first):");
        List<ModelManifest> lineage = store.lineage(manifest.ref());
        for (ModelManifest step : lineage) {
            out.println("  " + step.ref() + "  " + Text.time(step.created())
                    + step.producedBy().map(k -> "  by run " + ProgressLine.shortKey(k.value())).orElse("  (root)"));
        }
        List<ModelManifest> versions = store.versions(manifest.ref().id());
        if (versions.size() > 1) {
            out.println();
            out.println("Versions of " + manifest.ref().id() + ": " + String.join(", ", versions.stream()
                    .map(v -> v.ref().version() + (v.parent().map(p -> " (from " + p + ")").orElse(""))).toList()));
        }
        return null;
    }

    private static void field(PrintStream out, String label, String value) {
        out.println("  " + label + " ".repeat(Math.max(1, 10 - label.length())) + Text.printable(value));
    }
}
