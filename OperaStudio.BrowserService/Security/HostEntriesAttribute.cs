using System.ComponentModel.DataAnnotations;

namespace OperaStudio.BrowserService.Security;

/// <summary>Every entry of the list must be a <see cref="HostEntry"/>; a bad one stops the service at start.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HostEntriesAttribute(bool allowPort) : ValidationAttribute
{
    public bool AllowPort { get; } = allowPort;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not IEnumerable<string?> entries)
        {
            return ValidationResult.Success;
        }

        var section = $"{UrlPolicyOptions.SectionName}:{validationContext.MemberName}";
        var errors = entries
            .Select((entry, index) => HostEntry.TryParse(entry, AllowPort, out _, out var error)
                ? null
                : $"{section}[{index}] '{entry}' is not valid: {error}.")
            .OfType<string>()
            .ToList();
        return errors.Count == 0
            ? ValidationResult.Success
            : new ValidationResult(string.Join(" ", errors), [validationContext.MemberName ?? section]);
    }
}
