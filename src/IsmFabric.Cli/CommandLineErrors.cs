using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace IsmFabric.Cli;

/// <summary>
/// Says what is wrong with a command line in the one line every ismfabric error takes, naming the option and what
/// it accepts, instead of System.CommandLine's help page on stdout and .NET type names
/// ("as expected type 'System.Int32'").
/// </summary>
internal static class CommandLineErrors
{
    /// <summary>The line to print for <paramref name="result"/>, or null when it parsed (or asks for help, which clears errors).</summary>
    internal static string? Describe(ParseResult result)
    {
        if (result.Errors.Count == 0 || result.Action is { ClearsParseErrors: true })
        {
            return null;
        }

        var command = result.CommandResult;
        var messages = new List<string>();
        foreach (var token in result.UnmatchedTokens)
        {
            messages.Add(NeedsSubcommand(command)
                ? $"'{token}' is not a command of '{PathOf(command)}'; accepted: {Subcommands(command)}"
                : $"unrecognized argument '{token}' for '{PathOf(command)}' (see '{PathOf(command)} --help')");
        }

        if (messages.Count == 0 && NeedsSubcommand(command))
        {
            messages.Add($"'{PathOf(command)}' needs a command; accepted: {Subcommands(command)}");
        }

        foreach (var error in result.Errors)
        {
            if (error.SymbolResult is OptionResult option)
            {
                messages.Add(DescribeOption(option, error.Message, command));
            }
            else if (messages.Count == 0)
            {
                // Whatever the cases above do not cover is still said, in System.CommandLine's words.
                messages.Add(error.Message);
            }
        }

        return string.Join("; ", messages.Distinct());
    }

    private static string DescribeOption(OptionResult result, string message, CommandResult command)
    {
        var option = result.Option;
        var name = option.Name;
        if (result.IdentifierToken is null)
        {
            return $"{name} is required (see '{PathOf(command)} --help')";
        }

        if (result.Tokens.Count == 0 && option.Arity.MinimumNumberOfValues > 0)
        {
            return $"{name}: needs a value (see '{PathOf(command)} --help')";
        }

        if (result.Tokens.Count > 1 && option.Arity.MaximumNumberOfValues == 1)
        {
            return $"{name}: given {result.Tokens.Count} values ({string.Join(", ", result.Tokens.Select(t => $"'{t.Value}'"))}); accepted: one";
        }

        if (result.Tokens.Count == 1 && NotConvertible(option.ValueType, result.Tokens[0].Value) is { } problem)
        {
            return $"{name}: '{result.Tokens[0].Value}' {problem}";
        }

        // A validator's message already names its option.
        return message;
    }

    /// <summary>Why <paramref name="text"/> is not a value of <paramref name="type"/>, or null when it is one (or the type is not a number).</summary>
    private static string? NotConvertible(Type type, string text)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type == typeof(int) => Whole(text, int.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out _), int.MinValue, int.MaxValue),
            _ when type == typeof(long) => Whole(text, long.TryParse(text, NumberStyles.AllowLeadingSign, invariant, out _), long.MinValue, long.MaxValue),
            _ when type == typeof(ulong) => Whole(text, ulong.TryParse(text, NumberStyles.None, invariant, out _), ulong.MinValue, ulong.MaxValue),
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, invariant, out _) ? null : "is not a number",
            _ => null,
        };
    }

    private static string? Whole<T>(string text, bool parsed, T min, T max)
        where T : INumber<T>
    {
        if (parsed)
        {
            return null;
        }

        return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
            ? $"is out of range; accepted: {min}..{max}"
            : "is not a whole number";
    }

    private static bool NeedsSubcommand(CommandResult result) => result.Command.Action is null && result.Command.Subcommands.Any(c => !c.Hidden);

    private static string Subcommands(CommandResult result) => string.Join(", ", result.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));

    private static string PathOf(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent)
        {
            names.Add(c.Command is RootCommand ? "ismfabric" : c.Command.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
