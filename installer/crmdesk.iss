; Inno Setup script: the Windows installer of crmdesk, from the PyInstaller folder dist\crmdesk.
; Built by .github/workflows/windows-installer.yml:  iscc /DAppVersion=0.1.0 installer\crmdesk.iss
; - Start-menu and (optional, ticked) desktop shortcut;
; - upgrade in place: the AppId below never changes, so a newer installer replaces the program
;   files of the installed one (same folder, same shortcuts, one entry in "Apps");
; - the uninstaller removes the program only: the shop's data (database, backups, attachments,
;   logs, settings) lives in the user data folder, %LOCALAPPDATA%\crmdesk (platformdirs), which
;   this installer never writes and the uninstaller never deletes.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "crmdesk"
#define AppExe "crmdesk.exe"
#define SourceDir "..\dist\crmdesk"

[Setup]
; Never change the AppId: it is how an upgrade finds the installed copy.
AppId={{42E110F5-F084-4CE8-899F-85EA600DB63D}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=crmdesk
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per user (no administrator needed) unless the person installing chooses "for all users".
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
UninstallDisplayIcon={app}\{#AppExe}
SetupIconFile=crmdesk.ico
UninstallDisplayName={#AppName}
OutputDir=..\dist
OutputBaseFilename=crmdesk-setup-{#AppVersion}
Compression=lzma2/ultra64
SolidCompression=yes
LZMAUseSeparateProcess=yes
WizardStyle=modern
; An upgrade while crmdesk runs: ask to close it, start it again afterwards.
CloseApplications=yes
RestartApplications=yes
SetupLogging=yes

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole program folder: no library of the old version may linger.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] for the data folder, on purpose: uninstalling keeps the shop's data.
