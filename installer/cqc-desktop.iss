; Inno Setup script for CQC Desktop: a per-user Windows installer (no administrator needed).
;
; Build the bundle first (python installer/build.py), then, from the repository root:
;   iscc /DAppVersion=0.1.0 installer\cqc-desktop.iss
; AppVersion must be the package's version (python -c "import cqc_desktop; print(cqc_desktop.__version__)");
; BundleDir (default ..\dist\cqc-desktop, relative to this file) is the folder build.py made.
; The installer is written to dist\installer\cqc-desktop-<version>-setup.exe.
;
; What it does:
; * installs for the current user only, into %LOCALAPPDATA%\Programs\CQC Desktop
;   ({autopf} with PrivilegesRequired=lowest), so a manager who is not an administrator can
;   install and update it;
; * adds CQC Desktop (and CQC Desktop demo) to the Start menu, and a desktop shortcut if ticked;
; * an upgrade replaces the program files only. The user's data (database, attachments,
;   backups, log) lives in %LOCALAPPDATA%\CQC Desktop, a different folder, and is never touched;
;   the new version backs the database up and migrates it the first time it starts;
; * the uninstaller removes the program files and shortcuts and keeps that data folder.

#ifndef AppVersion
  #error Pass the package version: iscc /DAppVersion=X.Y.Z installer\cqc-desktop.iss
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\cqc-desktop"
#endif
#define AppName "CQC Desktop"
#define AppExe "cqc-desktop.exe"

[Setup]
; The AppId identifies the app across versions (upgrades find the earlier install by it):
; never change it.
AppId={{550E971B-6D9B-4EBC-B90C-9EC94A41230C}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist\installer
OutputBaseFilename=cqc-desktop-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
; Close a running copy before files are replaced (it saves as it goes; see the README).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade starts from a clean program folder, so no library from an older version is left
; behind. Only the program folder: the user's data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{group}\{#AppName} demo"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"; WorkingDir: "{app}"; Comment: "The worked scenarios, in a separate demo database"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: %LOCALAPPDATA%\CQC Desktop (databases, attachments, backups, logs) is
; kept on purpose. To remove it as well, delete that folder by hand after uninstalling.
