using System.ComponentModel.DataAnnotations;
using OperaStudio.BrowserService.Contracts;

namespace OperaStudio.BrowserService.Identity;

/// <summary>Who the browser service believes. Section <c>Auth</c>.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Shared with the web app only: it signs the identity of the person it acts for with this key (see
    /// <see cref="CallerSignature"/>). Required; the AppHost makes one per start unless it is configured.
    /// </summary>
    public string ServiceKey { get; set; } = "";

    /// <summary>When set, a bearer token acting as the administrator, for automation and CI (as Browserless's TOKEN).</summary>
    public string? AdminToken { get; set; }

    public AdminOptions Admin { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ServiceKey.Length < CallerSignature.MinimumKeyLength)
        {
            yield return new ValidationResult(
                $"Auth:ServiceKey must be at least {CallerSignature.MinimumKeyLength} characters: the web app signs who it acts for with it, and " +
                "without it the service would be open to anyone who reaches its port. The AppHost sets one; set Auth__ServiceKey when running the service alone.",
                [nameof(ServiceKey)]);
        }

        if (AdminToken is { Length: > 0 and < 24 })
        {
            yield return new ValidationResult("Auth:AdminToken must be at least 24 characters (it acts as the administrator).", [nameof(AdminToken)]);
        }
    }

    public sealed class AdminOptions
    {
        /// <summary>The administrator's user name: what <see cref="AdminToken"/> acts as.</summary>
        [Required, StringLength(128, MinimumLength = 1)]
        public string UserName { get; set; } = "admin";
    }
}
