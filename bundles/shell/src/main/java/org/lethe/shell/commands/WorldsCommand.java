package org.lethe.shell.commands;

import java.lang.reflect.Method;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.ServiceProperties;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Table;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code unlearn:worlds}: the benchmark worlds installed ({@code lethe.world} services), with the models
 * their training commits and their data splits. The distribution ships none yet; then the command says so.
 */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "worlds")
public final class WorldsCommand extends ShellCommand {

    static final String SUMMARY = "List the benchmark worlds (data generators and their models)";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "worlds", SUMMARY)
            .description("""
                    A world generates seeded data (facts, shapes) and trains its models with unlearn:train.
                    The distribution does not ship a world yet; a world bundle dropped into deploy/ adds one.""")
            .example("unlearn:worlds")
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public WorldsCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the worlds
     */
    @Descriptor(SUMMARY + " (unlearn:worlds --help)")
    public Object worlds(CommandSession session, @Descriptor("see unlearn:worlds --help") String... args) {
        return invoke(session, args);
    }

    /**
     * A list the world service answers ({@code models()}, {@code splits()}), read reflectively: the world
     * view of the API is a draft (0.9), and the shell must not stop resolving when it becomes 1.0.
     */
    private String names(ServiceReference<?> ref, String method) {
        var context = services.context();
        if (context.isEmpty()) {
            return "";
        }
        Object world = context.get().getService(ref);
        if (world == null) {
            return "";
        }
        try {
            Method m = world.getClass().getMethod(method);
            m.setAccessible(true);
            return m.invoke(world) instanceof List<?> list ? String.join(", ", list.stream().map(String::valueOf).toList()) : "";
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "?";
        } finally {
            context.get().ungetService(ref);
        }
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        Table table = Table.of("NAME", "BUNDLE", "VERSION", "MODELS", "SPLITS");
        for (ServiceReference<?> ref : services.worlds()) {
            table.row(ref.getProperty(ServiceProperties.WORLD), ref.getBundle() == null ? "" : ref.getBundle().getSymbolicName(),
                    ref.getBundle() == null ? "" : ref.getBundle().getVersion(), names(ref, "models"), names(ref, "splits"));
        }
        if (table.isEmpty()) {
            call.out().println("No world is installed: the built-in worlds (facts, shapes, shapes-vqa) are not part of"
                    + " the distribution yet; a world bundle dropped into deploy/ adds one. Runs take JSONL files"
                    + " (unlearn:run --forget <file>).");
            return null;
        }
        call.out().print(table.render());
        return null;
    }
}
