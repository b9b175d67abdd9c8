// Stage: diagnostics. The registry of every diagnostic polc can emit. A code is a promise to users
// and to tools that filter on it: codes are never renumbered and never reused. Add new codes at the
// end of their block; a retired code keeps its row with a note in its explanation.
#pragma once

#include <span>
#include <string_view>

namespace polc::diag {

enum class Severity { Error, Warning, Note };

enum class Code {
  // Source text and syntax (E00xx)
  SyntaxError,
  LexicalError,
  UnreadableFile,
  InvalidUtf8,
  IntegerTooLarge,
  NestingTooDeep,
  PolicyTooLarge,
  // Names, modules and imports (E01xx)
  DuplicateDefinition,
  UnknownGroup,
  UnknownConstant,
  ImportCycle,
  ModuleNotFound,
  WithoutNotInImport,
  ModuleNameMismatch,
  NotAllowedInModule,
  DuplicateStatement,
  MissingTargets,
  UnknownArch,
  GroupCycle,
  WrongKindOfName,
  BadImportPath,
  WithoutOnSeveralImports,
  ConstCycle,
  PolicyNameUnusable,
  // Syscall rules (E02xx)
  UnknownSyscall,
  SyscallNotOnArch,
  UnknownArgument,
  ArgumentIndexOutOfRange,
  ValueOutOfRange,
  MalformedCondition,
  BadErrno,
  ConditionOnGroup,
  BadAction,
  ConditionTooComplex,
  ConditionExpected,
  // Filesystem rules (E03xx)
  RelativePath,
  NonNormalPath,
  UnknownRight,
  RightNeedsNewerAbi,
  BadLandlockAbi,
  MissingLandlockAbi,
  UnknownLandlockName,
  // Network rules (E04xx)
  MalformedAddress,
  MalformedDomain,
  BadPort,
  IncompleteNetRule,
  BadNetTarget,
  DomainNeedsProxy,
  LandlockBlindSocket,
  // Assertions and tests (E05xx)
  MalformedQuery,
  DuplicateTest,
  BadExpectation,
  AssertionFailed,
  TestFailed,
  // Backends and the build (E06xx)
  ConditionNotExpressible,
  FilterTooLarge,
  OutputNotWritten,
  FilterMismatch,
  NotEnforced,
  DenyInsideAllow,
  SolverInconclusive,
  // Warnings (W0xxx)
  DuplicateEntry,
  UnusedDefinition,
  RedundantOptional,
  RuleMatchesNothing,
  MetadataAllowed,
  MultiplexerBypass,
  OciProfileSkipped,
  OverlappingRules,
  DeadRule,
  ConflictingErrno,
  AllowShadowedByDeny,
  NarrowedValue,
  // Importing OCI/Docker seccomp profiles (`polc import oci`: E07xx, W07xx)
  OciMalformedJson,
  OciWrongType,
  OciBadValue,
  OciUnknownField,
  OciArchDependentEntry,
  OciUnsupportedComparison,
  OciTargetNotInProfile,
  OciFieldIgnored,
  OciComparisonWidth,
  // Bundles, keys, signatures and trust (`polc verify`, `sign`, `keygen`, `inspect`: E08xx)
  BundleUnreadable,
  BundleMalformedManifest,
  BundleFileModified,
  BundleFileMissing,
  BundleFileUnlisted,
  BundleMalformedSignatures,
  TrustMalformed,
  TrustUnknownSigner,
  TrustBadSignature,
  TrustTooFewSigners,
  BundleExpired,
  TrustRollback,
  TrustPolicyNotNamed,
  KeyUnusable,
  BundleNotReproduced,
};

struct CodeInfo {
  Code code;
  std::string_view id;       // "E0201": stable, shown to users
  std::string_view name;     // "unknown-syscall": stable, for SARIF rule names
  Severity severity;
  std::string_view summary;  // one line
  std::string_view explanation;  // `polc explain`: why it is an error and how to fix it
};

const CodeInfo& info(Code code);
std::span<const CodeInfo> all_codes();
// Lookup by id ("E0201", case-insensitive) or by name ("unknown-syscall").
const CodeInfo* find_code(std::string_view id_or_name);

}  // namespace polc::diag
