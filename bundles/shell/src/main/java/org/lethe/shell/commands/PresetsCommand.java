package org.lethe.shell.commands;

import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.LetheException;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Option;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Table;
import org.lethe.shell.presets.Preset;
import org.lethe.shell.presets.Presets;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:presets}: the presets in {@code etc/} (and {@code deploy/}), each checked against its method. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "presets")
public final class PresetsCommand extends ShellCommand {

    static final String SUMMARY = "List the presets (named settings of a method), each checked against its method";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "presets", SUMMARY)
            .description("""
                    A preset is a file etc/org.lethe.preset-<name>.cfg (or the same in deploy/), picked up while
                    the container runs, holding method=<method name>, optionally description=..., and settings
                    key=value. unlearn:run <method> --preset <name> starts from its settings; --set overrides
                    them. The CHECK column validates each preset against its method's typed settings now.""")
            .option(Option.value('m', "method", "name", "Only presets of this method.", Completion.METHOD))
            .example("unlearn:presets")
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public PresetsCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the table
     */
    @Descriptor(SUMMARY + " (unlearn:presets --help)")
    public Object presets(CommandSession session, @Descriptor("see unlearn:presets --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        Optional<String> only = call.args().value("method");
        List<Preset> presets = new Presets(services).list().stream()
                .filter(p -> only.isEmpty() || p.method().equals(only.get())).toList();
        if (presets.isEmpty()) {
            call.out().println("No preset" + only.map(m -> " for method " + m).orElse("")
                    + ". Add one as etc/org.lethe.preset-<name>.cfg holding method=<method> and key=value settings.");
            return null;
        }
        Table table = Table.of("NAME", "METHOD", "SETTINGS", "CHECK", "FILE");
        for (Preset preset : presets) {
            table.row(preset.name(), preset.method(), String.join(", ", preset.settings().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).toList()), check(preset), preset.source().orElse(""));
        }
        call.out().print(table.render());
        return null;
    }

    private String check(Preset preset) {
        if (preset.method().isEmpty()) {
            return "no method= line";
        }
        Optional<MethodDescriptor> method;
        try {
            method = services.registry().method(preset.method());
        } catch (LetheException e) {
            return "cannot check: " + e.getMessage();
        }
        if (method.isEmpty()) {
            return "method not installed";
        }
        if (method.get().config().isEmpty()) {
            return preset.settings().isEmpty() ? "ok" : "the method takes no settings";
        }
        try {
            services.settings().validate(method.get().config().get(), preset.settings());
            return "ok";
        } catch (LetheException e) {
            return e.getMessage();
        }
    }
}
