import Form from '@rjsf/core';
import { englishStringTranslator, TranslatableString, type ErrorSchema, type IconButtonProps, type RJSFSchema, type UiSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import Ajv2020 from 'ajv/dist/2020';
import localizeZh from 'ajv-i18n/localize/zh';

// react-jsonschema-form over the shop builder's schemas: they are Draft 2020-12 (Ajv2020), its messages in Chinese
// (ajv-i18n), its buttons in Chinese. The console's chunk is the only one that loads this module.
const validator = customizeValidator({ AjvClass: Ajv2020 as never }, localizeZh);

const STRINGS: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.AddItemButton]: '添加',
  [TranslatableString.AddButton]: '添加',
  [TranslatableString.RemoveButton]: '删除',
  [TranslatableString.MoveUpButton]: '上移',
  [TranslatableString.MoveDownButton]: '下移',
  [TranslatableString.CopyButton]: '复制',
  [TranslatableString.EmptyArray]: '还没有，点“添加”加一个。',
  [TranslatableString.YesLabel]: '是',
  [TranslatableString.NoLabel]: '否',
  [TranslatableString.ErrorsLabel]: '错误',
  [TranslatableString.ArrayItemTitle]: '项',
};

function translate(key: TranslatableString, params?: string[]): string {
  return STRINGS[key] ?? englishStringTranslator(key, params);
}

// The default theme draws icon fonts (Bootstrap's glyphicons) that this app does not load: buttons with words instead.
function wordButton(label: string) {
  return function WordButton({ id, onClick, disabled, title }: IconButtonProps) {
    return <button type="button" id={id} className="btn" onClick={onClick} disabled={disabled} aria-label={title ?? label}>{label}</button>;
  };
}
const BUTTONS = { AddButton: wordButton('添加'), RemoveButton: wordButton('删除'), MoveUpButton: wordButton('上移'), MoveDownButton: wordButton('下移'), CopyButton: wordButton('复制'), ClearButton: wordButton('清空') };

export interface SchemaFormProps<T> {
  schema: unknown;
  uiSchema: UiSchema;
  value: T;
  errors: ErrorSchema;
  onChange: (value: T) => void;
  label: string;
}

/** A form built from a JSON Schema; `errors` (the server's) show beside the fields they name. */
export function SchemaForm<T>({ schema, uiSchema, value, errors, onChange, label }: SchemaFormProps<T>) {
  return (
    <div className="schema-form" aria-label={label} role="group">
      <Form
        schema={schema as RJSFSchema}
        uiSchema={{ ...uiSchema, 'ui:submitButtonOptions': { norender: true } }}
        formData={value}
        validator={validator}
        extraErrors={errors}
        liveValidate
        showErrorList={false}
        noHtml5Validate
        translateString={translate}
        templates={{ ButtonTemplates: BUTTONS }}
        onChange={(event) => onChange(event.formData as T)}
      />
    </div>
  );
}
