package org.lethe.shell.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelManifest;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Text;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:export <ref> <folder>}: writes a verified copy of a model version to a new folder. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "export")
public final class ExportCommand extends ShellCommand {

    static final String SUMMARY = "Export a model version to a new folder (manifest.json and files)";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "export", SUMMARY)
            .description("""
                    Every file's checksum is verified while it is copied; the folder appears whole or not at
                    all, and unlearn:import reads it back.""")
            .operand(Operand.required("ref", "The model: id or id:version.", Completion.MODEL))
            .operand(Operand.required("folder", "The target folder, which must not exist yet.", Completion.DIRECTORY))
            .option(Option.flag('n', "dry-run", "Check the model and the target; write nothing."))
            .example("unlearn:export tiny:2 /tmp/tiny-2")
            .exitStatuses(CommandSpec.EXIT_CHANGES)
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public ExportCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints where the model went
     */
    @Descriptor(SUMMARY + " (unlearn:export --help)")
    public Object export(CommandSession session, @Descriptor("see unlearn:export --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        ModelManifest manifest = RunLauncher.model(services.models(), call.args().operands().get(0));
        String text = call.args().operands().get(1);
        Path target = call.path(text);
        if (Files.exists(target)) {
            throw LetheException.invalidInput(Text.printable(text) + ": exists already; export writes a new folder");
        }
        if (call.args().flag("dry-run")) {
            call.out().println("would export " + manifest.ref() + " (" + manifest.files().size() + " file(s)) to " + target);
            call.out().println("dry run: nothing was written");
            return null;
        }
        services.models().export(manifest.ref(), target);
        call.out().println("exported " + manifest.ref() + " to " + target);
        return null;
    }
}
