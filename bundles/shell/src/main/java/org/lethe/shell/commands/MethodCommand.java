package org.lethe.shell.commands;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.lethe.api.config.ConfigSchema;
import org.lethe.api.method.MethodDescriptor;
import org.lethe.shell.base.CommandSpec;
import org.lethe.shell.base.Completion;
import org.lethe.shell.base.Invocation;
import org.lethe.shell.base.Names;
import org.lethe.shell.base.Operand;
import org.lethe.shell.base.Services;
import org.lethe.shell.base.ShellCommand;
import org.lethe.shell.base.Text;
import org.lethe.shell.presets.Preset;
import org.lethe.shell.presets.Presets;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code unlearn:method <name>}: one method's descriptor, paper, inputs, settings (types, defaults, ranges) and presets. */
@Component(service = ShellCommand.class)
@GogoCommand(scope = ShellCommand.SCOPE, function = "method")
public final class MethodCommand extends ShellCommand {

    static final String SUMMARY = "Show a method: paper, required inputs, settings with types and defaults, presets";

    static final CommandSpec SPEC = CommandSpec.command(SCOPE, "method", SUMMARY)
            .description("""
                    The settings are the method's typed configuration (its Metatype definition): what
                    --set key=value accepts, with each setting's type, default, range and description (which
                    names where the default comes from, usually the paper).""")
            .operand(Operand.required("name", "The method (unlearn:methods lists them).", Completion.METHOD))
            .example("unlearn:method ascent")
            .build();

    private final Services services;

    /**
     * @param services the services the command uses
     */
    @Activate
    public MethodCommand(@Reference Services services) {
        this.services = services;
    }

    /**
     * The Gogo entry point.
     *
     * @param session the session
     * @param args options and arguments
     * @return nothing; the command prints the method
     */
    @Descriptor(SUMMARY + " (unlearn:method --help)")
    public Object method(CommandSession session, @Descriptor("see unlearn:method --help") String... args) {
        return invoke(session, args);
    }

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    protected Object execute(Invocation call) {
        String name = call.args().operands().get(0);
        List<MethodDescriptor> all = services.registry().methods();
        MethodDescriptor method = all.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> Names.unknown("method", name, all.stream().map(MethodDescriptor::name).toList(),
                        "unlearn:methods"));
        PrintStream out = call.out();
        out.println(method.name() + "  (" + method.kind().name().toLowerCase(Locale.ROOT) + ", " + method.modality() + ")");
        field(out, "paper", method.paper().isEmpty() ? "(not given)" : method.paper());
        field(out, "inputs", method.inputs().isEmpty() ? "(none declared)" : String.join(", ", method.inputs()));
        field(out, "bundle", method.bundle() + " " + method.bundleVersion());
        field(out, "run with", (method.kind() == MethodDescriptor.Kind.UNLEARNING
                ? "unlearn:run " + method.name() + " --model <ref> --forget <file>"
                : "unlearn:erase " + method.name() + " --model <ref> --concept <name>") + " [--set key=value ...]");
        if (method.config().isEmpty()) {
            out.println();
            out.println("Settings: none (the method has no typed configuration).");
        } else {
            ConfigSchema schema = method.config().get();
            field(out, "config", schema.pid() + (schema.name().isEmpty() ? "" : " (" + schema.name() + ")"));
            out.println();
            out.println("Settings (--set key=value):");
            int keyWidth = schema.attributes().stream().mapToInt(a -> a.key().length()).max().orElse(0);
            for (ConfigSchema.Attribute a : schema.attributes()) {
                String type = a.type() + (a.multiple() ? "[] (comma-separated)" : "");
                String defaults = a.defaults().isEmpty() ? "required, no default" : "default " + String.join(",", a.defaults());
                StringBuilder range = new StringBuilder();
                a.min().filter(m -> !m.isBlank()).ifPresent(m -> range.append(", min ").append(m));
                a.max().filter(m -> !m.isBlank()).ifPresent(m -> range.append(", max ").append(m));
                if (!a.options().isEmpty()) {
                    range.append(", one of ").append(String.join(", ", a.options()));
                }
                out.println("  " + Text.printable(a.key()) + " ".repeat(keyWidth - a.key().length() + 2) + type + ", "
                        + Text.printable(defaults) + range);
                if (!a.description().isBlank()) {
                    String indent = " ".repeat(keyWidth + 4);
                    Text.wrap(Text.printable(a.description()), 78 - indent.length(), "")
                            .forEach(l -> out.println(indent + l));
                }
            }
        }
        List<Preset> presets = new Presets(services).list().stream().filter(p -> p.method().equals(method.name())).toList();
        if (!presets.isEmpty()) {
            out.println();
            out.println("Presets (--preset name):");
            for (Preset preset : presets) {
                out.println("  " + Text.printable(preset.name()) + "  " + Text.printable(String.join(", ", preset.settings()
                        .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()))
                        + (preset.description().isBlank() ? "" : "  (" + Text.printable(preset.description()) + ")"));
            }
        }
        return null;
    }

    private static void field(PrintStream out, String label, String value) {
        out.println("  " + label + " ".repeat(Math.max(1, 10 - label.length())) + Text.printable(value));
    }
}
