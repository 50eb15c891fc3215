--[[
Quarto-style cross-references for the fallback renderer (Pandoc alone does not do them).

Figures with an id `fig-...` and tables with an id `tbl-...` (`![cap](x.png){#fig-a}`,
`: caption {#tbl-b}` under a pipe table, or a cell's `#| label: fig-a` + `#| fig-cap:`) are
numbered in document order; `@fig-a` becomes "Figure 1" (`-@fig-a`: "1"), `[@fig-a; @tbl-b]`
"Figure 1, Table 1". HTML gets "Figure 1: " caption prefixes and links; Typst numbers captions
itself and gets `#ref(<fig-a>)`. Unknown ids render as "?@id" (as Quarto does) instead of
breaking the Typst compile.
]]
local names = { fig = "Figure", tbl = "Table" }
local labels = {}
local counts = { fig = 0, tbl = 0 }
local is_html = FORMAT:match("html") ~= nil

local function register(el)
  local id = el.identifier
  local kind = id and id:match("^(%a+)%-")
  if kind and names[kind] and labels[id] == nil then
    counts[kind] = counts[kind] + 1
    labels[id] = { kind = kind, n = counts[kind] }
  end
end

local function prefix_caption(el)
  local label = labels[el.identifier]
  if not (is_html and label) then
    return nil
  end
  local prefix = pandoc.Inlines({
    pandoc.Str(names[label.kind]), pandoc.Space(), pandoc.Str(label.n .. ":"), pandoc.Space(),
  })
  local long = el.caption.long
  if #long > 0 and (long[1].t == "Plain" or long[1].t == "Para") then
    long[1].content = prefix .. long[1].content
  else
    long:insert(1, pandoc.Plain(prefix))
  end
  el.caption.long = long
  return el
end

local function reference(citation)
  local label = labels[citation.id]
  if not label then
    return pandoc.Inlines({ pandoc.Str("?@" .. citation.id) })
  end
  local suppress = citation.mode == "SuppressAuthor"
  if is_html then
    local text = suppress and pandoc.Inlines({ pandoc.Str(tostring(label.n)) })
      or pandoc.Inlines({ pandoc.Str(names[label.kind]), pandoc.Space(), pandoc.Str(tostring(label.n)) })
    return pandoc.Inlines({ pandoc.Link(text, "#" .. citation.id) })
  end
  local supplement = suppress and ", supplement: none" or ""
  return pandoc.Inlines({ pandoc.RawInline("typst", "#ref(<" .. citation.id .. ">" .. supplement .. ")") })
end

function Pandoc(doc)
  doc:walk({ Figure = register, Table = register })
  return doc:walk({
    Figure = prefix_caption,
    Table = prefix_caption,
    Cite = function(cite)
      local out = pandoc.Inlines({})
      for i, citation in ipairs(cite.citations) do
        if i > 1 then
          out:insert(pandoc.Str(","))
          out:insert(pandoc.Space())
        end
        out:extend(reference(citation))
      end
      return out
    end,
  })
end
