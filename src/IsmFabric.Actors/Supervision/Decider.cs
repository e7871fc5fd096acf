namespace IsmFabric.Actors;

/// <summary>Builds deciders (exception → <see cref="Directive"/>) from a table of exception types.</summary>
public static class Decider
{
    /// <summary>
    /// A decider that picks the directive of the most specific listed exception type the failure is an instance of,
    /// and <paramref name="defaultDirective"/> when none matches.
    /// </summary>
    /// <param name="defaultDirective">The directive for exceptions not in the table.</param>
    /// <param name="table">Exception type → directive.</param>
    /// <returns>The decider.</returns>
    public static Func<Exception, Directive> From(Directive defaultDirective, params (Type ExceptionType, Directive Directive)[] table)
    {
        ArgumentNullException.ThrowIfNull(table);
        foreach (var (type, _) in table)
        {
            if (!typeof(Exception).IsAssignableFrom(type))
            {
                throw new ArgumentException($"{type} is not an exception type", nameof(table));
            }
        }

        // Most derived first, so a handler for IOException wins over one for Exception whatever the order given.
        var sorted = table.OrderByDescending(e => Depth(e.ExceptionType)).ToArray();
        return ex =>
        {
            foreach (var (type, directive) in sorted)
            {
                if (type.IsInstanceOfType(ex))
                {
                    return directive;
                }
            }

            return defaultDirective;
        };
    }

    private static int Depth(Type t)
    {
        var depth = 0;
        for (var b = t; b is not null; b = b.BaseType)
        {
            depth++;
        }

        return depth;
    }
}
