package org.lethe.api.method;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * The service properties that describe a method, as a DS component property type: put it on the
 * method's component class and bnd writes {@code lethe.method}, {@code lethe.modality},
 * {@code lethe.paper} and {@code lethe.inputs} into its component description.
 *
 * <pre>
 * &#64;Component
 * &#64;MethodProperties(method = "gradient-ascent", modality = "language",
 *         paper = "Jang et al., Knowledge Unlearning for Mitigating Privacy Risks, ACL 2023",
 *         inputs = {"forget"})
 * &#64;Designate(ocd = GradientAscent.Config.class)
 * public final class GradientAscent implements UnlearningMethod { ... }
 * </pre>
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface MethodProperties {

    /** Prefix of every property: {@value}. */
    String PREFIX_ = "lethe.";

    /** @return the method's name ({@code lethe.method}); the shell's word for it; may contain hyphens */
    String method();

    /** @return {@code language}, {@code text-to-image} or {@code vision-language} ({@code lethe.modality}) */
    String modality();

    /** @return the paper it implements: authors, title, venue and year, or an arXiv id ({@code lethe.paper}) */
    String paper();

    /** @return the data roles it requires, e.g. {@code forget}, {@code retain} ({@code lethe.inputs}) */
    String[] inputs();
}
