package org.lethe.shell.commands;

import java.util.List;
import java.util.Locale;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.model.ModelManifest;
import org.lethe.api.model.ModelRef;
import org.lethe.api.model.ModelStore;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Table;
import org.lethe.shell.base.Text;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:models}: the models in the store, one line per id. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "models")
public final class ModelsCommand extends ShellCommand {

    static final String SUMMARY = "List the models: id, kind, architecture, versions, base and latest version";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "models", SUMMARY)
            .description("""
                    A model reference is an id (its base version) or id:version. unlearn:model <ref> shows one
                    version's manifest and lineage.""")
            .example("unlearn:models")
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public ModelsCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the table
     */
    @Descriptor(SUMMARY + " (unlearn:models --help)")
    public Object models(CommandSession session, @Descriptor("see unlearn:models --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        ModelStore store = services.models();
        Table table = Table.of("ID", "KIND", "ARCHITECTURE", "VERSIONS", "BASE", "LATEST", "CREATED");
        for (String id : store.ids()) {
            List<ModelManifest> versions = store.versions(id);
            if (versions.isEmpty()) {
                continue;
            }
            ModelManifest latest = versions.get(versions.size() - 1);
            String base;
            try {
                base = store.manifest(new ModelRef(id, ModelRef.BASE)).ref().toString();
            } catch (LetheException e) {
                base = "?";
            }
            table.row(id, latest.kind().name().toLowerCase(Locale.ROOT), latest.architecture(), versions.size(), base,
                    latest.ref(), Text.time(latest.created()));
        }
        if (table.isEmpty()) {
            call.out().println("No model yet. Import one (unlearn:import <folder> --id <id>) or train a world"
                    + " (unlearn:train, when worlds are installed).");
            return null;
        }
        call.out().print(table.render());
        return null;
    }
}
