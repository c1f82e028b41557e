// Checks the names that archetype-metadata.xml's validation patterns check only when it asks
// interactively: with -B they are not checked. A bad name fails the generation, naming the property,
// and the half-made project is removed. The rules are DESIGN §1's: the method's name may have hyphens;
// the artifactId (= Bundle-SymbolicName), the Java package and the configuration PID may not.
def properties = request.properties
def dotted = ~/[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*/
def problems = []
if (!(properties.method ==~ /[a-z][a-z0-9]*(-[a-z0-9]+)*/)) {
    problems << "method '${properties.method}': lower-case words joined by hyphens, e.g. negative-preference"
}
for (key in ['groupId', 'artifactId', 'package', 'pid']) {
    if (!(properties[key] ==~ dotted)) {
        problems << "${key} '${properties[key]}': dot-separated Java identifiers, no hyphens (e.g. org.example.method.npo)"
    }
}
if (!(properties.className ==~ /[A-Z][A-Za-z0-9_]*/)) {
    problems << "className '${properties.className}': a Java class name starting with an upper-case letter"
}
if (properties.paper.contains('"') || properties.paper.contains('\\')) {
    problems << "paper '${properties.paper}': no double quotes or backslashes (it becomes a Java string)"
}
if (problems) {
    new File(request.outputDirectory, request.artifactId).deleteDir()
    throw new IllegalArgumentException("Not a Lethe method bundle:\n  " + problems.join("\n  "))
}
