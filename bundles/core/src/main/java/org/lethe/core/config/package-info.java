/** Typed configuration: checking {@code --set key=value} strings against a Metatype schema, and conversion. */
package org.lethe.core.config;
