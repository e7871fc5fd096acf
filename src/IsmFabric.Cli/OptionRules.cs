using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace IsmFabric.Cli;

/// <summary>
/// Checks on option values that run while the command line is parsed, before any command starts, so a bad value is
/// a usage error naming the option and the accepted values (see <see cref="CommandLineErrors"/>).
/// </summary>
internal static class OptionRules
{
    /// <summary>Accepts <paramref name="min"/>..<paramref name="max"/>.</summary>
    internal static Option<int> InRange(this Option<int> option, int min, int max)
    {
        option.Validators.Add(r => Check(r, option.Name, Value<int>(r), min, max));
        return option;
    }

    /// <summary>Accepts <paramref name="min"/>..<paramref name="max"/> when given.</summary>
    internal static Option<int?> InRange(this Option<int?> option, int min, int max)
    {
        option.Validators.Add(r => Check(r, option.Name, Value<int?>(r), min, max));
        return option;
    }

    /// <summary>Accepts zero or more; <paramref name="meaning"/> says what zero means.</summary>
    internal static Option<double> NotNegative(this Option<double> option, string meaning)
    {
        option.Validators.Add(r =>
        {
            if (Value<double>(r) is var value && !(value >= 0 && double.IsFinite(value)))
            {
                r.AddError($"{option.Name}: {value.ToString(CultureInfo.InvariantCulture)} is not accepted; accepted: 0 ({meaning}) or more");
            }
        });
        return option;
    }

    /// <summary>Accepts what <paramref name="problem"/> finds nothing wrong with (it returns null then).</summary>
    internal static Option<string> Accepts(this Option<string> option, Func<string, string?> problem)
    {
        option.Validators.Add(r =>
        {
            if (Value<string>(r) is { } text && problem(text) is { } message)
            {
                r.AddError($"{option.Name}: {message}");
            }
        });
        return option;
    }

    /// <summary>
    /// Refuses an empty value for every text option of <paramref name="command"/> and its subcommands: an empty
    /// path, name or list is a slip (an unset variable in a script), never a choice.
    /// </summary>
    internal static void RefuseEmptyValues(Command command)
    {
        foreach (var option in command.Options.Where(o => o.ValueType == typeof(string)))
        {
            option.Validators.Add(r =>
            {
                if (r.Tokens.Any(t => string.IsNullOrWhiteSpace(t.Value)))
                {
                    r.AddError($"{option.Name}: an empty value is not accepted");
                }
            });
        }

        foreach (var subcommand in command.Subcommands)
        {
            RefuseEmptyValues(subcommand);
        }
    }

    private static T? Value<T>(OptionResult result)
    {
        // A value that did not convert is already reported as such; there is nothing to check.
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    private static void Check(OptionResult result, string name, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            result.AddError($"{name}: {v} is outside {min}..{max}");
        }
    }
}
